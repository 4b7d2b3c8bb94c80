using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

public sealed class HomeController : Controller
{
    public IActionResult Index() => View();

    [Route("/Home/Error")]
    public IActionResult Error() => View("Status", new StatusViewModel(500, Activity.Current?.Id ?? HttpContext.TraceIdentifier));

    [Route("/Home/Status/{code:int}")]
    public IActionResult Status(int code) => View(new StatusViewModel(code, Activity.Current?.Id ?? HttpContext.TraceIdentifier));
}

public sealed record StatusViewModel(int StatusCode, string RequestId)
{
    /// <summary>What went wrong, in the words of the use case that refused (never an exception's internals).</summary>
    public string? Detail { get; init; }

    public string Title => StatusCode switch
    {
        403 => "You do not have access to this page",
        404 => "Page not found",
        413 => "The file is too large",
        502 => "The record could not be served",
        500 => "Something went wrong",
        503 => "A service EhrShare needs is not available",
        _ => $"Error {StatusCode}",
    };

    public string Explanation => StatusCode switch
    {
        403 => "Your account is not allowed to see this. If you think it should be, ask the person who manages access.",
        404 => "The address may be mistyped, or the page was removed.",
        500 => "The error was logged. Please try again; if it keeps happening, tell the administrator the reference below.",
        503 => "Please try again in a moment.",
        _ => "The request could not be completed.",
    };
}
