using EhrShare.Core.Common;
using EhrShare.Core.Records.Encryption;
using EhrShare.Web.Controllers;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace EhrShare.Web.Infrastructure;

/// <summary>How an expected failure is answered: its HTTP status, its FHIR issue code (for the FHIR API) and the
/// message for the user (null: the status page's generic words; never an exception's internals).</summary>
public sealed record ErrorResponse(int Status, OperationOutcome.IssueType IssueType, string? Message);

/// <summary>
/// The one table from an expected failure to its answer, and the one status page, for every place that answers a
/// failure: the exception filter (use cases called by actions), the FHIR API (as an OperationOutcome), the record
/// stream (failures before its first byte), the upload (a JSON or page answer) and the actions that answer a status
/// themselves.
/// </summary>
public static class ErrorResponses
{
    private const string StatusView = "~/Views/Shared/Status.cshtml";

    /// <summary>Said instead of the integrity failure itself, which is for the log (it names the check that failed).</summary>
    public const string RecordIntegrityMessage = "This record failed its integrity check, so it was not served. The administrator has been told.";

    /// <summary>400 bad input, 403 not allowed (with the reason), 404, 502 a record that failed its integrity check,
    /// 503 a service that did not answer; 500 for any other failure. A use case's typed exception carries a message
    /// written for the user; any other exception's message stays in the log.</summary>
    public static ErrorResponse For(Exception failure) => failure switch
    {
        ValidationFailedException => new(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, failure.Message),
        ForbiddenException => new(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden, failure.Message),
        NotFoundException => new(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, failure.Message),
        RecordIntegrityException => new(StatusCodes.Status502BadGateway, OperationOutcome.IssueType.Exception, RecordIntegrityMessage),
        DependencyUnavailableException => new(StatusCodes.Status503ServiceUnavailable, OperationOutcome.IssueType.Transient, failure.Message),
        EhrException => new(StatusCodes.Status500InternalServerError, OperationOutcome.IssueType.Exception, failure.Message),
        _ => new(StatusCodes.Status500InternalServerError, OperationOutcome.IssueType.Exception, null),
    };

    /// <summary>The status page for <paramref name="failure"/>, as <see cref="For"/> answers it.</summary>
    public static ViewResult StatusPage(HttpContext http, Exception failure)
    {
        var response = For(failure);
        return StatusPage(http, response.Status, response.Message);
    }

    /// <summary>The status page (Views/Shared/Status.cshtml) with this status and, when given, what the user should know.</summary>
    public static ViewResult StatusPage(HttpContext http, int status, string? detail = null) => new()
    {
        ViewName = StatusView,
        StatusCode = status,
        ViewData = new ViewDataDictionary(http.RequestServices.GetRequiredService<IModelMetadataProvider>(), new ModelStateDictionary())
        {
            Model = new StatusViewModel(status, http.TraceIdentifier) { Detail = detail },
        },
    };
}
