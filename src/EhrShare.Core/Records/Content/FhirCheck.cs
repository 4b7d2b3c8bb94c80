using System.Text.Json;
using EhrShare.Core.Common;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace EhrShare.Core.Records.Content;

/// <summary>
/// FHIR JSON: checked as JSON while it streams (kept, up to the JSON limit), then, once complete, deserialised as one
/// FHIR R4 resource with the Firely SDK's strict <see cref="FhirJsonDeserializer"/> (unknown elements, wrong value
/// forms and unknown resource types are errors). The SDK's messages quote values, so users get the error code and
/// where it is instead.
/// </summary>
internal sealed class FhirCheck(JsonCheck json) : IContentCheck, IDisposable
{
    private static readonly FhirJsonDeserializer Deserializer = new();

    public void Append(ReadOnlySpan<byte> chunk, SniffedKind? start) => json.Append(chunk, start);

    public void Complete()
    {
        json.Complete();
        var reader = new Utf8JsonReader(json.Kept!.ToSequence());
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Refused("it is JSON but not an object with a resourceType.");
        }

        IEnumerable<CodedException> issues;
        try
        {
            reader = new Utf8JsonReader(json.Kept.ToSequence());
            if (Deserializer.TryDeserializeResource(ref reader, out _, out issues))
            {
                return;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Refused("the FHIR parser could not read it.");
        }

        var all = issues.ToList();
        var first = all.FirstOrDefault();
        throw first?.ErrorCode switch
        {
            "JSON103" => Refused("it has no resourceType."),
            "PVAL130" => Refused("its resourceType is not a FHIR R4 resource type."),
            null => Refused("the FHIR parser could not read it."),
            _ => Refused($"{Count(all.Count)} against FHIR R4, the first {Where(first)}: {Explain(first.ErrorCode)}."),
        };
    }

    public void Dispose() => json.Dispose();

    private static ValidationFailedException Refused(string reason) => new($"The file is not a FHIR resource: {reason}", "File");

    private static string Count(int n) => n == 1 ? "1 error" : $"{n} errors";

    private static string Where(CodedException issue) => issue is ExtendedCodedException { LineNumber: { } line, Position: { } position }
        ? $"at line {line}, position {position} ({issue.ErrorCode})"
        : $"({issue.ErrorCode})";

    private static string Explain(string code) => code switch
    {
        "PVAL128" or "JSON116" or "JSON104" => "an element FHIR R4 does not define there",
        "PVAL123" or "PVAL124" or "PVAL116" or "PVAL106" or "PVAL105" => "a value that is not of the form FHIR R4 requires",
        _ => "see the FHIR R4 JSON rules (hl7.org/fhir/R4/json.html)",
    };
}
