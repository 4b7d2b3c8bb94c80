using System.Text.Json;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Content;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace EhrShare.Core.Observations;

/// <summary>A patient's Observations as a reader may see them; <see cref="Patient"/> is set for a doctor (named, as the
/// contract allowed), null for the patient themself.</summary>
public sealed record PatientObservations(PatientSummary? Patient, IReadOnlyList<Observation> Observations);

/// <summary>
/// The Observations in a patient's FHIR JSON records (what gateways post, or a patient uploads), for the patient or a
/// doctor, by the read path of the pages: opening the list is an access attempt (decided by the contract, logged), and
/// so is each record read. A refusal is the use cases' own exception. Used by the FHIR Observation search and the vital
/// signs pages, so there is one way to read them.
/// </summary>
public sealed class ReadObservations(ListRecords list, ReadRecord read)
{
    private static readonly FhirJsonDeserializer Deserializer = new();

    public async Task<PatientObservations> ReadAsync(string readerUserId, string patientUserId, CancellationToken cancellationToken)
    {
        PatientSummary? patient = null;
        IReadOnlyList<RecordSummary> records;
        if (readerUserId == patientUserId)
        {
            records = await list.ForPatientAsync(patientUserId, cancellationToken);
        }
        else
        {
            var opened = await list.ForDoctorAsync(readerUserId, patientUserId, cancellationToken);
            (patient, records) = (opened.Patient, opened.Records);
        }

        var found = new List<Observation>();
        foreach (var record in records.Where(r => r.ContentType == RecordTypes.FhirJson.ContentType))
        {
            found.AddRange(await InRecordAsync(readerUserId, record.Id, cancellationToken));
        }

        return new PatientObservations(patient, found);
    }

    /// <summary>When the reading was taken: <c>effective[x]</c> as a dateTime, an instant or a period's start.</summary>
    public static DateTimeOffset? EffectiveAt(Observation observation) => observation.Effective switch
    {
        FhirDateTime dateTime when dateTime.TryToDateTimeOffset(out var at) => at,
        Instant { Value: { } at } => at,
        Period { StartElement: { } start } when start.TryToDateTimeOffset(out var at) => at,
        _ => null,
    };

    /// <summary>The Observations of one record: the record itself, or the entries of a Bundle (what the API stores);
    /// none when the record is another resource.</summary>
    private async Task<IReadOnlyList<Observation>> InRecordAsync(string readerUserId, Guid recordId, CancellationToken cancellationToken)
    {
        var content = await read.OpenAsync(readerUserId, recordId, cancellationToken);
        await using (content.Content)
        {
            using var buffer = new MemoryStream();
            await content.Content.CopyToAsync(buffer, cancellationToken);
            var reader = new Utf8JsonReader(buffer.ToArray());
            if (!Deserializer.TryDeserializeResource(ref reader, out var resource, out _))
            {
                return [];
            }

            return resource switch
            {
                Observation single => [single],
                Bundle bundle => bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList(),
                _ => [],
            };
        }
    }
}
