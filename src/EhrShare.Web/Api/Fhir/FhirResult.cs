using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Mvc;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Api.Fhir;

/// <summary>A FHIR resource as the response, in FHIR JSON (<c>application/fhir+json</c>).</summary>
public sealed class FhirResult(Resource resource, int status = StatusCodes.Status200OK) : IActionResult
{
    public const string ContentType = "application/fhir+json";

    private static readonly BaseFhirJsonSerializer Serializer = new(ModelInfo.ModelInspector);

    public Resource Resource { get; } = resource;

    public int Status { get; } = status;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        response.ContentType = ContentType + "; charset=utf-8";
        if (Resource.Meta?.VersionId is { } version)
        {
            response.Headers.ETag = $"W/\"{version}\"";
        }

        await using var writer = new Utf8JsonWriter(response.Body);
        Serializer.Serialize(Resource, writer);
        await writer.FlushAsync(context.HttpContext.RequestAborted);
    }

    /// <summary>An error as FHIR says it: an OperationOutcome with one issue, its code, a text and, when known, the
    /// element it is about.</summary>
    public static FhirResult Outcome(int status, OperationOutcome.IssueType code, string text, params string[] expressions) =>
        new(new OperationOutcome
        {
            Issue =
            [
                new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = code,
                    Diagnostics = text,
                    Details = new CodeableConcept { Text = text },
                    Expression = [.. expressions],
                },
            ],
        }, status);
}
