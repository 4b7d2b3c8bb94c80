using EhrShare.Core.Common;
using EhrShare.Core.Records.Encryption;
using EhrShare.Web.Controllers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// The one table from an expected failure to its HTTP status, and the one status page, for every place that answers a
/// failure: the exception filter (use cases called by actions), the record stream (failures before its first byte),
/// the upload (a JSON or page answer) and the actions that answer a status themselves.
/// </summary>
public static class ErrorResponses
{
    private const string StatusView = "~/Views/Shared/Status.cshtml";

    /// <summary>400 bad input, 403 not allowed (with the reason), 404, 502 a record that failed its integrity check,
    /// 503 a service that did not answer; 500 for any other failure.</summary>
    public static int StatusFor(Exception failure) => failure switch
    {
        ValidationFailedException => StatusCodes.Status400BadRequest,
        ForbiddenException => StatusCodes.Status403Forbidden,
        NotFoundException => StatusCodes.Status404NotFound,
        RecordIntegrityException => StatusCodes.Status502BadGateway,
        DependencyUnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

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
