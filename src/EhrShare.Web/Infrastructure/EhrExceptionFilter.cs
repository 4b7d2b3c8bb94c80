using EhrShare.Core.Common;
using Microsoft.AspNetCore.Mvc.Filters;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// Where typed use-case exceptions thrown by actions become responses, by the one table of <see cref="ErrorResponses"/>:
/// 400 for bad input, 403 with the reason, 404, 503 naming the service that is down. Users see the message; the log
/// keeps the detail.
/// </summary>
public sealed class EhrExceptionFilter(ILogger<EhrExceptionFilter> logger) : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        if (context.Exception is not EhrException error)
        {
            return;
        }

        var response = ErrorResponses.For(error);
        if (error is DependencyUnavailableException unavailable)
        {
            logger.LogWarning(error, "{Dependency} unavailable during {Path}", unavailable.Dependency, context.HttpContext.Request.Path);
        }
        else
        {
            logger.LogInformation("{Status} for {Path}: {Reason}", response.Status, context.HttpContext.Request.Path, error.Message);
        }

        context.Result = ErrorResponses.StatusPage(context.HttpContext, response.Status, response.Message);
        context.ExceptionHandled = true;
    }
}
