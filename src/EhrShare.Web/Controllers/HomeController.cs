using System.Diagnostics;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

public sealed class HomeController(ILogger<HomeController> logger) : Controller
{
    public IActionResult Index() => View();

    /// <summary>
    /// The exception handler's page: the reference and nothing of the exception. The log gets the exception under the
    /// same reference, so an administrator can find what a user reports.
    /// </summary>
    [Route("/Home/Error")]
    [IgnoreAntiforgeryToken]
    [AllowWithoutTwoFactor]
    public IActionResult Error()
    {
        var reference = RequestReference;
        if (HttpContext.Features.Get<IExceptionHandlerPathFeature>() is { } failure)
        {
            logger.LogError(failure.Error, "Unhandled exception on {Method} {Path}; reference {RequestId}",
                Request.Method, failure.Path, reference);
        }

        return View("Status", new StatusViewModel(500, reference));
    }

    [Route("/Home/Status/{code:int}")]
    [AllowWithoutTwoFactor]
    public IActionResult Status(int code) => View(new StatusViewModel(code, RequestReference));

    private string RequestReference => Activity.Current?.Id ?? HttpContext.TraceIdentifier;
}

public sealed record StatusViewModel(int StatusCode, string RequestId)
{
    /// <summary>What went wrong, in the words of the use case that refused (never an exception's internals).</summary>
    public string? Detail { get; init; }

    public string Title => (StatusCode, Detail) switch
    {
        (400, _) => "The request could not be used",
        (403, not null) => "Access refused",
        (404, not null) => "Not found",
        (403, _) => "You do not have access to this page",
        (404, _) => "Page not found",
        (413, _) => "The file is too large",
        (502, _) => "The record could not be served",
        (500, _) => "Something went wrong",
        (503, _) => "A service EhrShare needs is not available",
        _ => $"Error {StatusCode}",
    };

    /// <summary>
    /// The generic advice for the status, or null when it would not apply: a refusal, a missing thing or a bad input
    /// that a use case explained in <see cref="Detail"/> says only what applies (a removed record is not "mistyped").
    /// </summary>
    public string? Explanation => Detail is not null && StatusCode is 400 or 403 or 404 or 503 ? null : StatusCode switch
    {
        403 => "Your account is not allowed to see this. If you think it should be, ask the person who manages access.",
        404 => "The address may be mistyped, or the page was removed.",
        500 => "The error was logged. Please try again; if it keeps happening, tell the administrator the reference below.",
        503 => "Please try again in a moment.",
        _ => "The request could not be completed.",
    };
}
