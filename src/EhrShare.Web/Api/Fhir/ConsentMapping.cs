using System.Globalization;
using EhrShare.Core.Access;
using EhrShare.Core.Users;
using Hl7.Fhir.Model;

namespace EhrShare.Web.Api.Fhir;

/// <summary>What a Consent write asks for: grant (until a time), deny or revoke a doctor's access.</summary>
public enum ConsentChange
{
    Grant,
    Deny,
    Revoke,
}

/// <summary>
/// Where a doctor stands with a patient (as the Access page shows it: requested, granted, expired, denied, revoked) as a
/// FHIR R4 Consent, and a Consent written by the patient as the change it asks for. One Consent per patient and doctor;
/// its id is the patient's address and the doctor's account (<c>{AID}-{PID}-{40 hex digits}</c>, at most 62 characters).
/// </summary>
public static class ConsentMapping
{
    private const string Loinc = "http://loinc.org";

    public static string IdOf(PatientAddress patient, string doctorAccount) =>
        $"{patient.Aid.ToString(CultureInfo.InvariantCulture)}-{patient.Pid.ToString(CultureInfo.InvariantCulture)}-{doctorAccount[2..].ToLowerInvariant()}";

    /// <summary>The patient's address and the doctor's account named by a Consent id, if it is one.</summary>
    public static bool TryParseId(string id, out PatientAddress patient, out string doctorAccount)
    {
        patient = default;
        doctorAccount = "";
        var last = id.LastIndexOf('-');
        if (last < 0 || id.Length - last - 1 != 40 || !id.AsSpan(last + 1).ContainsOnlyHex()
            || !PatientAddress.TryParse(id[..last], out var address))
        {
            return false;
        }

        patient = address;
        doctorAccount = "0x" + id[(last + 1)..].ToLowerInvariant();
        return true;
    }

    public static Consent Consent(PatientAccessEntry entry, string patientId, PatientAddress patientAddress)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var permit = entry.Standing is AccessStanding.Requested or AccessStanding.Granted or AccessStanding.Expired;
        var provision = new Consent.provisionComponent
        {
            Type = permit ? Hl7.Fhir.Model.Consent.ConsentProvisionType.Permit : Hl7.Fhir.Model.Consent.ConsentProvisionType.Deny,
            Actor =
            [
                new Consent.provisionActorComponent
                {
                    Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PRCP", "primary information recipient"),
                    Reference = new ResourceReference
                    {
                        Display = $"Dr {entry.Doctor.Name} ({entry.Doctor.Specialty}, licence {entry.Doctor.LicenceNumber})",
                        Identifier = new Identifier(AuditEventMapping.AccountSystem, entry.Doctor.Account.ToLowerInvariant()),
                    },
                },
            ],
            Action = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentaction", "access", "Access")],
        };
        if (entry.Standing is AccessStanding.Granted or AccessStanding.Expired && entry.ExpiresAt is { } until)
        {
            provision.Period = new Period { EndElement = new FhirDateTime(until) };
        }

        var consent = new Consent
        {
            Id = IdOf(patientAddress, entry.Doctor.Account),
            Status = entry.Standing switch
            {
                AccessStanding.Requested => Hl7.Fhir.Model.Consent.ConsentState.Proposed,
                AccessStanding.Granted => Hl7.Fhir.Model.Consent.ConsentState.Active,
                AccessStanding.Denied => Hl7.Fhir.Model.Consent.ConsentState.Rejected,
                _ => Hl7.Fhir.Model.Consent.ConsentState.Inactive,
            },
            Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent"),
            Category = [new CodeableConcept(Loinc, "59284-0", "Patient Consent")],
            Patient = new ResourceReference("Patient/" + patientId),
            Performer = [new ResourceReference("Patient/" + patientId)],
            PolicyRule = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"),
            Provision = provision,
        };
        if (entry.RequestedAt is { } asked)
        {
            consent.DateTimeElement = new FhirDateTime(asked);
        }

        return consent;
    }

    /// <summary>
    /// The change a Consent sent by the patient asks for: status <c>active</c> grants until
    /// <c>provision.period.end</c>, <c>rejected</c> declines, <c>inactive</c> revokes. The doctor is the one the id
    /// names (update) or the provision's actor (create); anything else given must agree. Every problem is listed, with
    /// its element, and nothing is changed.
    /// </summary>
    public static (ConsentChange Change, DateTimeOffset? Until, string? DoctorAccount) Read(Resource resource, string patientId, string? id)
    {
        if (resource is not Consent consent)
        {
            throw new FhirInvalidException([("resourceType", $"Expected a Consent, got a {resource.TypeName}.")]);
        }

        var problems = new List<(string, string)>();
        if (id is not null && consent.Id != id)
        {
            problems.Add(("Consent.id", $"The id must be given and be the one in the URL ({id})."));
        }

        if (id is null && consent.Id is not null)
        {
            problems.Add(("Consent.id", "A new Consent has no id: the server gives it (or PUT to Consent/{id})."));
        }

        if (consent.Patient is { } patient && patient.Reference != "Patient/" + patientId)
        {
            problems.Add(("Consent.patient", $"patient must be this token's patient (Patient/{patientId}) or left out."));
        }

        ConsentChange? change = consent.Status switch
        {
            Hl7.Fhir.Model.Consent.ConsentState.Active => ConsentChange.Grant,
            Hl7.Fhir.Model.Consent.ConsentState.Rejected => ConsentChange.Deny,
            Hl7.Fhir.Model.Consent.ConsentState.Inactive => ConsentChange.Revoke,
            _ => null,
        };
        if (change is null)
        {
            problems.Add(("Consent.status", "status must be active (grant), rejected (decline the request) or inactive (revoke)."));
        }

        DateTimeOffset? until = null;
        if (change == ConsentChange.Grant)
        {
            if (consent.Provision?.Type is Hl7.Fhir.Model.Consent.ConsentProvisionType.Deny)
            {
                problems.Add(("Consent.provision.type", "An active grant permits: provision.type must be permit or left out."));
            }

            if (consent.Provision?.Period?.EndElement is not { } end || !end.TryToDateTimeOffset(out var at))
            {
                problems.Add(("Consent.provision.period.end", "A grant needs provision.period.end: until when the doctor may read your records."));
            }
            else
            {
                until = at;
            }
        }

        var actors = consent.Provision?.Actor ?? [];
        var named = actors.Select(a => a.Reference?.Identifier).Where(i => i is not null).ToList();
        string? doctor = null;
        if (actors.Count > 1 || named.Count != actors.Count
            || named.Any(i => i!.System != AuditEventMapping.AccountSystem || !IsAccount(i.Value)))
        {
            problems.Add(("Consent.provision.actor", $"Name one doctor: provision.actor[0].reference.identifier with system {AuditEventMapping.AccountSystem} and the doctor's account (0x and 40 hex digits)."));
        }
        else if (named.Count == 1)
        {
            doctor = named[0]!.Value!.ToLowerInvariant();
        }
        else if (id is null)
        {
            problems.Add(("Consent.provision.actor", $"A new Consent names its doctor: provision.actor[0].reference.identifier with system {AuditEventMapping.AccountSystem}."));
        }

        return problems.Count > 0 ? throw new FhirInvalidException(problems) : (change!.Value, until, doctor);
    }

    private static bool IsAccount(string? value) =>
        value is { Length: 42 } && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && value.AsSpan(2).ContainsOnlyHex();

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static bool ContainsOnlyHex(this ReadOnlySpan<char> text) => !text.ContainsAnyExcept(HexDigits);
}
