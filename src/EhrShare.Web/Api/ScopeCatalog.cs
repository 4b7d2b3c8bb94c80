using EhrShare.Core.Users;
using EhrShare.Infrastructure.OAuth;

namespace EhrShare.Web.Api;

/// <summary>What each scope lets an app do, as the consent page says it, and which scopes a user of each role can give.</summary>
public static class ScopeCatalog
{
    public static string Describe(string scope) => scope switch
    {
        FhirScopes.PatientRead => "Read your records, their list and your details.",
        FhirScopes.PatientObservationCreate => "Add measurements (Observations) to your records.",
        FhirScopes.PatientConsentWrite => "Grant, decline or revoke doctors' access to your records (each a transaction on the blockchain, as on your Access page).",
        FhirScopes.UserRead => "Read what you may read in EhrShare: for a doctor, the records of patients who granted you access, each read decided and logged on the chain as on the pages.",
        FhirScopes.LaunchPatient => "Know which patient you are.",
        FhirScopes.OfflineAccess => "Stay signed in (a refresh token) until you revoke it.",
        _ => scope,
    };

    /// <summary>A doctor has no patient context of their own: <c>patient/*</c> and <c>launch/patient</c> are for patients.</summary>
    public static bool IsAvailableTo(string scope, bool isPatient) =>
        isPatient || scope is FhirScopes.UserRead or FhirScopes.OfflineAccess;

    public static IReadOnlyList<string> GrantableTo(IEnumerable<string> requested, ApplicationUser user, bool isPatient) =>
        requested.Where(s => FhirScopes.All.Contains(s) && IsAvailableTo(s, isPatient)).Distinct(StringComparer.Ordinal).ToList();
}
