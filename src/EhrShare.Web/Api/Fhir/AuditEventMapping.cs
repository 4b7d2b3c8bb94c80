using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EhrShare.Core.Access;
using Hl7.Fhir.Model;

namespace EhrShare.Web.Api.Fhir;

/// <summary>
/// One line of a patient's access history (<see cref="HistoryEntry"/>, read from the chain index) as a FHIR R4
/// AuditEvent: who acted (agent), on what (the patient and, where named, the record), when, with what outcome, an
/// emergency as purpose "break the glass", and the Ethereum transaction that records it as an entity whose identifier
/// is the transaction hash (R4's AuditEvent has no identifier element of its own). Used by the AuditEvent search and
/// by the patient's export, so both say the same.
/// </summary>
public static class AuditEventMapping
{
    /// <summary>The identifier system of an Ethereum transaction hash.</summary>
    public const string TransactionSystem = "urn:ehrshare:ethereum-transaction";

    /// <summary>The identifier system of an account address on the chain.</summary>
    public const string AccountSystem = "urn:ehrshare:account";

    /// <summary>The code system of <see cref="AuditEvent.Subtype"/>: the contract's event name.</summary>
    public const string ChainEventSystem = "urn:ehrshare:chain-event";

    private const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";
    private const string EntityTypes = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private const string ObjectRoles = "http://terminology.hl7.org/CodeSystem/object-role";

    /// <summary>The events, given ids from their content (each AuditEvent's id is stable for the same history entry;
    /// entries identical in every field, such as two reads of one record in the same second logged in one batch, get a
    /// suffix in the order given).</summary>
    public static IEnumerable<AuditEvent> Map(IEnumerable<HistoryEntry> entries, string patientId)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var audit = Map(entry, patientId);
            var id = audit.Id!;
            var count = seen.GetValueOrDefault(id);
            seen[id] = count + 1;
            if (count > 0)
            {
                audit.Id += "-" + (count + 1).ToString(CultureInfo.InvariantCulture);
            }

            yield return audit;
        }
    }

    public static AuditEvent Map(HistoryEntry entry, string patientId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var audit = new AuditEvent
        {
            Id = IdOf(entry),
            Type = new Coding(Dicom, "110110", "Patient Record"),
            Subtype = [new Coding(ChainEventSystem, entry.Event, entry.Outcome)],
            Action = ActionOf(entry.Event),
            Recorded = entry.At ?? DateTimeOffset.UnixEpoch,
            Outcome = entry.IsDenial ? AuditEvent.AuditEventOutcome.N4 : AuditEvent.AuditEventOutcome.N0,
            OutcomeDesc = entry.IsDenial && entry.Reason is { } why ? $"{entry.Outcome}: {why}" : entry.Outcome,
            Source = new AuditEvent.SourceComponent
            {
                Site = "EhrShare",
                Observer = new ResourceReference { Display = "EhrShare (the access contract's events)" },
                Type = [new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
            },
        };
        if (entry.IsEmergency)
        {
            var purpose = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG", "break the glass");
            if (entry.Event == "EmergencyAccess" && entry.Reason is { } reason)
            {
                purpose.Text = reason;
            }

            audit.PurposeOfEvent = [purpose];
        }

        audit.Agent = Agents(entry, patientId);
        audit.Entity = Entities(entry, patientId);
        return audit;
    }

    private static List<AuditEvent.AgentComponent> Agents(HistoryEntry entry, string patientId)
    {
        var patient = new AuditEvent.AgentComponent { Who = new ResourceReference("Patient/" + patientId, "You") };
        AuditEvent.AgentComponent? Doctor(bool requestor) => entry.DoctorAccount is { } account
            ? new AuditEvent.AgentComponent
            {
                Who = new ResourceReference { Display = entry.Who, Identifier = new Identifier(AccountSystem, account) },
                Requestor = requestor,
            }
            : null;

        switch (entry.Event)
        {
            case "PermissionGranted" or "PermissionDenied" or "PermissionRevoked":
                patient.Requestor = true;
                return Doctor(false) is { } subject ? [patient, subject] : [patient];
            case "EmergencyReviewed":
                return [new AuditEvent.AgentComponent { Who = new ResourceReference { Display = entry.Who }, Requestor = true }];
            default:
                if (Doctor(true) is { } doctor)
                {
                    return [doctor];
                }

                patient.Requestor = true;
                return [patient];
        }
    }

    private static List<AuditEvent.EntityComponent> Entities(HistoryEntry entry, string patientId)
    {
        var entities = new List<AuditEvent.EntityComponent>
        {
            new()
            {
                What = new ResourceReference("Patient/" + patientId),
                Type = new Coding(EntityTypes, "1", "Person"),
                Role = new Coding(ObjectRoles, "1", "Patient"),
            },
        };
        if (entry.RecordId is { } recordId && recordId != Guid.Empty)
        {
            entities.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference("DocumentReference/" + recordId, entry.What),
                Type = new Coding(EntityTypes, "2", "System Object"),
                Role = new Coding(ObjectRoles, "3", "Report"),
            });
        }

        if (entry.TransactionHash is { } hash)
        {
            var transaction = new AuditEvent.EntityComponent
            {
                What = new ResourceReference { Identifier = new Identifier(TransactionSystem, hash), Display = "Ethereum transaction" },
                Type = new Coding(EntityTypes, "2", "System Object"),
                Description = entry.OnChain
                    ? $"Recorded on the chain in block {entry.BlockNumber?.ToString(CultureInfo.InvariantCulture) ?? "(unknown)"}."
                    : "Sent to the chain, not yet confirmed.",
            };
            if (entry.BlockNumber is { } block)
            {
                transaction.Detail = [new AuditEvent.DetailComponent { Type = "block", Value = new FhirString(block.ToString(CultureInfo.InvariantCulture)) }];
            }

            entities.Add(transaction);
        }
        else
        {
            entities.Add(new AuditEvent.EntityComponent
            {
                Type = new Coding(EntityTypes, "2", "System Object"),
                Description = "Being recorded on the chain: no transaction yet.",
            });
        }

        return entities;
    }

    private static AuditEvent.AuditEventAction ActionOf(string name) => name switch
    {
        "RecordAdded" or "AccessRequested" => AuditEvent.AuditEventAction.C,
        "PermissionGranted" or "PermissionDenied" or "PermissionRevoked" => AuditEvent.AuditEventAction.U,
        "RecordRemoved" => AuditEvent.AuditEventAction.D,
        "EmergencyAccess" or "EmergencyRefused" or "EmergencyReviewed" => AuditEvent.AuditEventAction.E,
        _ => AuditEvent.AuditEventAction.R,
    };

    /// <summary>An id from what identifies the entry: 32 hex digits of a SHA-256 (FHIR ids are at most 64 characters,
    /// and a transaction can hold several events).</summary>
    private static string IdOf(HistoryEntry entry)
    {
        var key = string.Join('|', entry.TransactionHash ?? "", entry.Event, entry.DoctorAccount ?? "", entry.RecordId?.ToString() ?? "",
            entry.At?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "", entry.BlockNumber?.ToString(CultureInfo.InvariantCulture) ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }
}
