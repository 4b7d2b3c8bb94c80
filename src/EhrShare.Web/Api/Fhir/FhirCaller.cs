using System.Security.Claims;
using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Controllers;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Web.Api.Fhir;

/// <summary>Who calls the FHIR API, from the access token: a user (patient or doctor) or a patient's gateway device,
/// and the scopes the token carries.</summary>
public sealed record FhirCaller(string? UserId, Guid? DeviceId, string? PatientUserId, bool IsPatient, bool IsDoctor, IReadOnlySet<string> Scopes)
{
    public static FhirCaller From(ClaimsPrincipal principal)
    {
        var scopes = principal.GetScopes().ToHashSet(StringComparer.Ordinal);
        if (principal.GetClaim(AuthorizationController.DeviceClaim) is { } device)
        {
            return new FhirCaller(null, Guid.Parse(device), principal.GetClaim(AuthorizationController.PatientClaim), false, false, scopes);
        }

        var roles = principal.GetClaims(Claims.Role);
        var isPatient = roles.Contains(Core.Users.Roles.Patient);
        return new FhirCaller(principal.GetClaim(Claims.Subject), null, isPatient ? principal.GetClaim(Claims.Subject) : null,
            isPatient, roles.Contains(Core.Users.Roles.Doctor), scopes);
    }

    /// <summary>Read and search: a patient's <c>patient/*.rs</c>, or <c>user/*.rs</c>. A device never reads.</summary>
    public bool CanRead => UserId is not null && ((IsPatient && Scopes.Contains(FhirScopes.PatientRead)) || Scopes.Contains(FhirScopes.UserRead));

    /// <summary>Granting, denying and revoking access: the patient's own token with <c>patient/Consent.cu</c>.</summary>
    public bool CanWriteConsent => IsPatient && UserId is not null && Scopes.Contains(FhirScopes.PatientConsentWrite);

    /// <summary>Adding Observations for the token's patient (a gateway, or the patient's own app).</summary>
    public bool CanCreateObservations => PatientUserId is not null && Scopes.Contains(FhirScopes.PatientObservationCreate);
}
