namespace EhrShare.Infrastructure.OAuth;

/// <summary>The SMART v2 scopes EhrShare grants (docs/decisions/openiddict-with-own-stores.md).</summary>
public static class FhirScopes
{
    /// <summary>Read and search every resource of the signed-in patient.</summary>
    public const string PatientRead = "patient/*.rs";

    /// <summary>Add Observations to the patient's records (what a gateway's token carries).</summary>
    public const string PatientObservationCreate = "patient/Observation.c";

    /// <summary>Grant, deny or revoke doctors' access (create and update Consent), as on the Access page.</summary>
    public const string PatientConsentWrite = "patient/Consent.cu";

    /// <summary>Read and search whatever the signed-in user may read (for a doctor: the patients who granted access).</summary>
    public const string UserRead = "user/*.rs";

    /// <summary>The token response names the signed-in patient (<c>patient</c>).</summary>
    public const string LaunchPatient = "launch/patient";

    /// <summary>A refresh token comes with the access token.</summary>
    public const string OfflineAccess = "offline_access";

    public static readonly IReadOnlyList<string> All = [PatientRead, PatientObservationCreate, PatientConsentWrite, UserRead, LaunchPatient, OfflineAccess];
}
