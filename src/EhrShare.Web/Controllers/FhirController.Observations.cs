using EhrShare.Core.Common;
using EhrShare.Core.Observations;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Content;
using EhrShare.Web.Api.Fhir;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Controllers;

/// <summary>
/// Observations: a gateway (or the patient's app, with <c>patient/Observation.c</c>) adds one, or a transaction Bundle
/// of them; each request is stored as one encrypted record of the patient through the upload pipeline (IPFS, shares,
/// anchored on the chain). Search reads the patient's FHIR JSON records through <see cref="ReadObservations"/> (the read
/// use case, as the vital signs pages do), so each record read for a doctor is decided by the contract and logged.
/// </summary>
public sealed partial class FhirController
{
    [HttpPost("Observation")]
    public Task<IActionResult> CreateObservation() => WritingAsync(async (caller, body) =>
    {
        var observations = ObservationIntake.FromCreate(ObservationIntake.Parse(body), caller.PatientUserId!);
        await StoreAsync(caller, observations);
        var created = observations[0];
        Response.Headers.Location = $"{BaseUrl}/Observation/{created.Id}/_history/1";
        return new FhirResult(created, StatusCodes.Status201Created);
    });

    /// <summary>The system endpoint: a transaction Bundle of Observation creates, all stored or none.</summary>
    [HttpPost("")]
    public Task<IActionResult> Transaction() => WritingAsync(async (caller, body) =>
    {
        var observations = ObservationIntake.FromTransaction(ObservationIntake.Parse(body), caller.PatientUserId!);
        await StoreAsync(caller, observations);
        var response = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        foreach (var observation in observations)
        {
            response.Entry.Add(new Bundle.EntryComponent
            {
                Response = new Bundle.ResponseComponent
                {
                    Status = "201 Created",
                    Location = $"Observation/{observation.Id}/_history/1",
                    LastModified = observation.Meta!.LastUpdated,
                },
            });
        }

        return new FhirResult(response);
    });

    [HttpGet("Observation")]
    public Task<IActionResult> SearchObservations([FromServices] ReadObservations observations) => ReadingAsync(async caller =>
    {
        Refuse(Request.Query.Keys.Except(["patient", "subject", "code", "date"]));
        var patientId = PatientParameter(caller);
        var dates = DateParameters();
        var codes = Request.Query["code"].SelectMany(v => (v ?? "").Split(',')).Where(c => c.Length > 0).ToList();
        if (caller.IsPatient && patientId != caller.UserId)
        {
            throw new ForbiddenException("A patient's token reads only that patient's records.");
        }

        var found = (await observations.ReadAsync(caller.UserId!, patientId, HttpContext.RequestAborted)).Observations
            .Where(o => ReadObservations.EffectiveAt(o) is { } at && dates.All(d => d.Matches(at)) && (codes.Count == 0 || codes.Any(c => HasCode(o, c))));
        return Found(found.OrderByDescending(ReadObservations.EffectiveAt));
    });

    /// <summary>A token search value: <c>system|code</c>, <c>|code</c> (no system) or <c>code</c> (any system).</summary>
    private static bool HasCode(Observation observation, string token)
    {
        var bar = token.IndexOf('|', StringComparison.Ordinal);
        return observation.Code?.Coding.Any(c => bar < 0
            ? c.Code == token
            : c.Code == token[(bar + 1)..] && (bar == 0 ? string.IsNullOrEmpty(c.System) : c.System == token[..bar])) == true;
    }

    /// <summary>Stores the Observations, ids and times given, as one record of the patient: a FHIR collection Bundle.</summary>
    private async Task StoreAsync(FhirCaller caller, IReadOnlyList<Observation> observations)
    {
        var now = clock.GetUtcNow();
        var stored = new Bundle { Type = Bundle.BundleType.Collection, Timestamp = now };
        foreach (var observation in observations)
        {
            observation.Id = Guid.CreateVersion7(now).ToString();
            observation.Meta = new Meta { VersionId = "1", LastUpdated = now };
            stored.Entry.Add(new Bundle.EntryComponent { FullUrl = $"{BaseUrl}/Observation/{observation.Id}", Resource = observation });
        }

        // Every Observation came through the strict parse (ObservationIntake), so the upload does not parse them again.
        await using var json = SerializedFhirResource.Write(stored);
        var from = caller.DeviceId is null ? "the patient's app" : User.Identity?.Name ?? "a device";
        var title = $"{observations.Count} observation{(observations.Count == 1 ? "" : "s")} from {from}";
        var fileName = $"observations-{now:yyyyMMdd'T'HHmmss'Z'}.json";
        await upload.ExecuteAsync(
            new UploadRequest(caller.PatientUserId!, title, null, fileName, FhirResult.ContentType, json, RecordCategory.Vitals), HttpContext.RequestAborted);
    }

    /// <summary>Checks the token may add Observations, reads the body (FHIR JSON, within the JSON limit) and runs the action.</summary>
    private Task<IActionResult> WritingAsync(Func<FhirCaller, byte[], Task<IActionResult>> action) =>
        WritingAsync(c => c.CanCreateObservations, "This token's scopes do not allow adding Observations (it needs patient/Observation.c).", action);

    /// <summary>Checks the token may do this write, reads the body (FHIR JSON, within the JSON limit) and runs the action.</summary>
    private async Task<IActionResult> WritingAsync(Func<FhirCaller, bool> allowed, string refusal, Func<FhirCaller, byte[], Task<IActionResult>> action)
    {
        var caller = FhirCaller.From(User);
        if (!allowed(caller))
        {
            return FhirResult.Outcome(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden, refusal);
        }

        var type = Request.ContentType ?? "";
        if (!type.StartsWith("application/fhir+json", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return FhirResult.Outcome(StatusCodes.Status415UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
                "Send FHIR JSON (Content-Type: application/fhir+json).");
        }

        var limit = recordOptions.Value.MaxJsonBytes;
        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await Request.Body.ReadAsync(buffer, HttpContext.RequestAborted)) > 0)
        {
            if (body.Length + read > limit)
            {
                return FhirResult.Outcome(StatusCodes.Status413PayloadTooLarge, OperationOutcome.IssueType.TooLong,
                    $"The body is larger than {limit} bytes: send fewer Observations per Bundle.");
            }

            body.Write(buffer, 0, read);
        }

        return await HandlingAsync(caller, c => action(c, body.ToArray()));
    }
}
