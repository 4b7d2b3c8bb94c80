using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Web.Api.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// Consent: the patient's doctors as the Access page lists them (requested, granted, expired, declined, revoked), one
/// Consent per doctor. The patient grants, declines or revokes by writing one (<c>PUT Consent/{id}</c> for a doctor
/// already listed, <c>POST Consent</c> naming the doctor), through the same use cases as the page, so each is a
/// transaction on the contract from the patient's account. A doctor under an emergency window is not a consent: that is
/// listed in AuditEvent, and the Consent returns when the window ends.
/// </summary>
public sealed partial class FhirController
{
    private const string ConsentRefusal = "This token's scopes do not allow changing access (it needs patient/Consent.cu, and a patient's token).";

    [HttpGet("Consent")]
    public Task<IActionResult> SearchConsents() => ReadingAsync(async caller =>
    {
        Refuse(Request.Query.Keys.Except(["patient", "status"]));
        var (patientId, address) = await OwnConsentsAsync(caller);
        var statuses = Request.Query["status"].SelectMany(v => (v ?? "").Split(',')).Where(v => v.Length > 0).ToList();
        var consents = (await patientAccess.DoctorsAsync(patientId, HttpContext.RequestAborted))
            .Where(e => e.Standing != AccessStanding.Emergency)
            .Select(e => ConsentMapping.Consent(e, patientId, address))
            .Where(c => statuses.Count == 0 || statuses.Contains(c.Status!.Value.GetLiteral(), StringComparer.Ordinal));
        return Found(consents);
    });

    [HttpGet("Consent/{id}")]
    public Task<IActionResult> ReadConsent(string id) => ReadingAsync(async caller =>
    {
        var (patientId, address) = await OwnConsentsAsync(caller);
        var consent = await ConsentAsync(patientId, address, id)
            ?? throw new NotFoundException("No consent with that id among yours.");
        return new FhirResult(consent);
    });

    /// <summary>Grants, declines or revokes the access of the doctor the id names (FHIR update).</summary>
    [HttpPut("Consent/{id}")]
    public Task<IActionResult> UpdateConsent(string id) => WritingAsync(c => c.CanWriteConsent, ConsentRefusal, async (caller, body) =>
    {
        var (patientId, address) = await OwnConsentsAsync(caller);
        if (!ConsentMapping.TryParseId(id, out var idPatient, out var idDoctor) || idPatient != address)
        {
            throw new NotFoundException("No consent with that id among yours: a Consent id is your address and the doctor's account, as Consent search gives it.");
        }

        var (change, until, doctor) = ConsentMapping.Read(ObservationIntake.Parse(body), patientId, id);
        if (doctor is not null && doctor != idDoctor)
        {
            throw new FhirInvalidException([("Consent.provision.actor", "The doctor named must be the one in the Consent's id.")]);
        }

        return new FhirResult(await ChangeConsentAsync(patientId, address, idDoctor, change, until));
    });

    /// <summary>Grants (status active), declines or revokes the access of the doctor the provision's actor names (FHIR create).</summary>
    [HttpPost("Consent")]
    public Task<IActionResult> CreateConsent() => WritingAsync(c => c.CanWriteConsent, ConsentRefusal, async (caller, body) =>
    {
        var (patientId, address) = await OwnConsentsAsync(caller);
        var (change, until, doctor) = ConsentMapping.Read(ObservationIntake.Parse(body), patientId, null);
        var consent = await ChangeConsentAsync(patientId, address, doctor!, change, until);
        Response.Headers.Location = $"{BaseUrl}/Consent/{consent.Id}";
        return new FhirResult(consent, StatusCodes.Status201Created);
    });

    /// <summary>The change through the pages' use case, then the Consent as it stands after it.</summary>
    private async Task<Consent> ChangeConsentAsync(string patientId, Core.Users.PatientAddress address, string doctorAccount, ConsentChange change, DateTimeOffset? until)
    {
        // Accounts are stored in their EIP-55 form.
        var stored = EthAddress.Parse(doctorAccount).ToString();
        var doctorUserId = (await people.DoctorsAsync([stored], HttpContext.RequestAborted)).GetValueOrDefault(stored)?.UserId
            ?? throw new FhirInvalidException([("Consent.provision.actor", $"No doctor has the account {doctorAccount}.")]);
        var cancel = HttpContext.RequestAborted;
        try
        {
            var doctor = change switch
            {
                ConsentChange.Grant => await grantAccess.ExecuteAsync(patientId, doctorUserId, until!.Value, cancel),
                ConsentChange.Deny => await refuseAccess.DenyAsync(patientId, doctorUserId, cancel),
                _ => await refuseAccess.RevokeAsync(patientId, doctorUserId, cancel),
            };
            logger.LogInformation("FHIR Consent {Change} by patient {PatientId} for doctor {DoctorId}", change, patientId, doctor.UserId);
        }
        catch (ValidationFailedException e) when (e.Field == "ExpiresAt")
        {
            throw new FhirInvalidException([("Consent.provision.period.end", e.Message)]);
        }

        var id = ConsentMapping.IdOf(address, doctorAccount);
        return await ConsentAsync(patientId, address, id)
            ?? throw new DependencyUnavailableException("chain index", "The change is on the chain, but the list of your doctors does not show it yet: read the Consent again shortly.");
    }

    private async Task<Consent?> ConsentAsync(string patientId, Core.Users.PatientAddress address, string id) =>
        (await patientAccess.DoctorsAsync(patientId, HttpContext.RequestAborted))
        .Where(e => e.Standing != AccessStanding.Emergency)
        .Select(e => ConsentMapping.Consent(e, patientId, address))
        .FirstOrDefault(c => c.Id == id);

    /// <summary>Consents are the patient's own: a patient's token, about themself.</summary>
    private async Task<(string PatientId, Core.Users.PatientAddress Address)> OwnConsentsAsync(FhirCaller caller)
    {
        if (!caller.IsPatient)
        {
            throw new ForbiddenException("Consent is a patient's own list of doctors: only the patient's token reads or writes it.");
        }

        if (Request.Method == HttpMethods.Get && Request.Query.ContainsKey("patient") && PatientParameter(caller) != caller.UserId)
        {
            throw new ForbiddenException("A patient's token reads only that patient's consents.");
        }

        var self = await parties.PatientAsync(caller.UserId!, HttpContext.RequestAborted);
        return (caller.UserId!, self.Address);
    }
}
