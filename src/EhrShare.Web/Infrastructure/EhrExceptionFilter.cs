using EhrShare.Core.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// The one place where typed use-case exceptions become responses: 400 for bad input, 403 with the reason, 404,
/// 503 naming the service that is down. Users see the message; the log keeps the detail.
/// </summary>
public sealed class EhrExceptionFilter(ILogger<EhrExceptionFilter> logger, IModelMetadataProvider metadata) : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        if (context.Exception is not EhrException error)
        {
            return;
        }

        var status = error switch
        {
            ValidationFailedException => StatusCodes.Status400BadRequest,
            NotFoundException => StatusCodes.Status404NotFound,
            ForbiddenException => StatusCodes.Status403Forbidden,
            DependencyUnavailableException => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        if (error is DependencyUnavailableException unavailable)
        {
            logger.LogWarning(error, "{Dependency} unavailable during {Path}", unavailable.Dependency, context.HttpContext.Request.Path);
        }
        else
        {
            logger.LogInformation("{Status} for {Path}: {Reason}", status, context.HttpContext.Request.Path, error.Message);
        }

        var model = new Controllers.StatusViewModel(status, context.HttpContext.TraceIdentifier) { Detail = error.Message };
        context.Result = new ViewResult
        {
            ViewName = "~/Views/Shared/Status.cshtml",
            StatusCode = status,
            ViewData = new ViewDataDictionary(metadata, context.ModelState) { Model = model },
        };
        context.ExceptionHandled = true;
    }
}
