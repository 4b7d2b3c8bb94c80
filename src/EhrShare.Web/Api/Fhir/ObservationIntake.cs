using System.Text.Json;
using EhrShare.Core.Common;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace EhrShare.Web.Api.Fhir;

/// <summary>A request refused by <see cref="ObservationIntake"/>: one issue per problem, each naming its element.</summary>
public sealed class FhirInvalidException(IReadOnlyList<(string Expression, string Text)> issues)
    : EhrException(issues.Count == 0 ? "Invalid resource." : issues[0].Text)
{
    public IReadOnlyList<(string Expression, string Text)> Issues { get; } = issues;

    public OperationOutcome ToOutcome() => new()
    {
        Issue = Issues.Select(i => new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Error,
            Code = OperationOutcome.IssueType.Invalid,
            Diagnostics = i.Text,
            Details = new CodeableConcept { Text = i.Text },
            Expression = [i.Expression],
        }).ToList(),
    };
}

/// <summary>
/// Observations as a gateway (or the patient's app) posts them: one Observation, or a <c>transaction</c> Bundle of
/// Observation creates. Parsed with the Firely SDK's strict deserializer (unknown elements and wrong value forms are
/// errors, each with its path), then checked for what EhrShare needs of each reading: status, code, when
/// (<c>effective[x]</c>), a value or the reason it is absent, and the token's patient as subject (filled in when
/// missing). Any problem refuses the whole request: nothing is stored.
/// </summary>
public static class ObservationIntake
{
    public const int MaxEntries = 1000;

    private static readonly FhirJsonDeserializer Deserializer = new();

    public static Resource Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (Deserializer.TryDeserializeResource(ref reader, out var resource, out var issues) && resource is not null)
            {
                return resource;
            }

            var problems = issues.Select(i => (Path(i), $"{i.ErrorCode}: {i.Message}")).ToList();
            throw new FhirInvalidException(problems.Count > 0 ? problems : [("$", "The body is not a FHIR R4 resource.")]);
        }
        catch (JsonException)
        {
            throw new FhirInvalidException([("$", "The body is not JSON.")]);
        }
    }

    /// <summary>The Observations to store from a single create: checked, subject set.</summary>
    public static IReadOnlyList<Observation> FromCreate(Resource resource, string patientId)
    {
        if (resource is not Observation observation)
        {
            throw new FhirInvalidException([("resourceType", $"Expected an Observation, got a {resource.TypeName}.")]);
        }

        var problems = new List<(string, string)>();
        Check(observation, "Observation", patientId, problems);
        return problems.Count > 0 ? throw new FhirInvalidException(problems) : [observation];
    }

    /// <summary>The Observations to store from a transaction Bundle: every entry a POST of an Observation, all checked.</summary>
    public static IReadOnlyList<Observation> FromTransaction(Resource resource, string patientId)
    {
        if (resource is not Bundle bundle)
        {
            throw new FhirInvalidException([("resourceType", $"Expected a Bundle of type transaction, got a {resource.TypeName}.")]);
        }

        if (bundle.Type != Bundle.BundleType.Transaction)
        {
            throw new FhirInvalidException([("Bundle.type", "Only transaction Bundles are accepted here.")]);
        }

        if (bundle.Entry.Count is 0 or > MaxEntries)
        {
            throw new FhirInvalidException([("Bundle.entry", $"A transaction holds 1 to {MaxEntries} Observations.")]);
        }

        var problems = new List<(string, string)>();
        var observations = new List<Observation>();
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var entry = bundle.Entry[i];
            var path = $"Bundle.entry[{i}]";
            if (entry.Request?.Method != Bundle.HTTPVerb.POST || entry.Request.Url is not ("Observation" or "Observation/"))
            {
                problems.Add(($"{path}.request", "Each entry must be a create: request.method POST, request.url Observation."));
            }

            if (entry.Resource is not Observation observation)
            {
                problems.Add(($"{path}.resource", $"Each entry must hold an Observation{(entry.Resource is null ? "" : ", not a " + entry.Resource.TypeName)}."));
                continue;
            }

            Check(observation, $"{path}.resource", patientId, problems);
            observations.Add(observation);
        }

        return problems.Count > 0 ? throw new FhirInvalidException(problems) : observations;
    }

    /// <summary>When the reading was taken: effectiveDateTime or effectiveInstant, or the start of effectivePeriod.</summary>
    public static DateTimeOffset? EffectiveAt(Observation observation) => Core.Observations.ReadObservations.EffectiveAt(observation);

    private static void Check(Observation observation, string path, string patientId, List<(string, string)> problems)
    {
        if (observation.Status is null)
        {
            problems.Add(($"{path}.status", "status is required (e.g. final)."));
        }

        if (observation.Code is null || (observation.Code.Coding.Count == 0 && string.IsNullOrWhiteSpace(observation.Code.Text)))
        {
            problems.Add(($"{path}.code", "code is required: what was measured (e.g. LOINC 8867-4, heart rate)."));
        }
        else
        {
            for (var c = 0; c < observation.Code.Coding.Count; c++)
            {
                if (string.IsNullOrWhiteSpace(observation.Code.Coding[c].Code))
                {
                    problems.Add(($"{path}.code.coding[{c}].code", "A coding needs its code."));
                }
            }
        }

        if (observation.Effective is null)
        {
            problems.Add(($"{path}.effective[x]", "effective[x] is required: when the reading was taken."));
        }
        else if (EffectiveAt(observation) is null)
        {
            problems.Add(($"{path}.effective[x]", "effective[x] must be a dateTime, an instant or a period with a start."));
        }

        if (observation.Value is null && observation.DataAbsentReason is null && observation.Component.Count == 0)
        {
            problems.Add(($"{path}.value[x]", "A reading needs a value, components (e.g. blood pressure) or a dataAbsentReason."));
        }

        if (observation.Value is not null && observation.DataAbsentReason is not null)
        {
            problems.Add(($"{path}.dataAbsentReason", "dataAbsentReason only where there is no value (obs-6)."));
        }

        for (var c = 0; c < observation.Component.Count; c++)
        {
            if (observation.Component[c].Code is null)
            {
                problems.Add(($"{path}.component[{c}].code", "Each component needs a code."));
            }
        }

        var expected = "Patient/" + patientId;
        if (observation.Subject is null)
        {
            observation.Subject = new ResourceReference(expected);
        }
        else if (observation.Subject.Reference != expected)
        {
            problems.Add(($"{path}.subject", $"subject must be this token's patient ({expected}) or left out."));
        }
    }

    private static string Path(CodedException issue) =>
        issue is ExtendedCodedException { InstancePath: { Length: > 0 } path } ? path : "$";
}
