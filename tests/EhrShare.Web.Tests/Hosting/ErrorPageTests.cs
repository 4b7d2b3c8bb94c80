using System.Net;
using EhrShare.Web.Tests.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>
/// An unhandled exception shows the error page with a reference and nothing of the exception; the log has the
/// exception under that reference. The fault comes from an MVC filter the test adds to the app (no route of the app
/// throws on request), and the app's Serilog pipeline writes to a sink the test adds.
/// </summary>
public sealed class ErrorPageTests
{
    private const string Secret = "connection to shares-db-7 refused for user ehr_node";

    [Theory]
    [InlineData("Test", "false")]
    // ./ehr run serves in Development: without the opt-in it shows the same page, not the developer exception page.
    [InlineData("Development", "false")]
    // The opt-in counts only in Development.
    [InlineData("Test", "true")]
    public async Task AnUnhandledException_ShowsTheErrorPageWithAReference_AndLogsTheExceptionUnderIt(string environment, string developerPage)
    {
        var sink = new CapturedLogEvents();
        await using var app = FaultingApp(environment, developerPage, sink);
        using var response = await SendFaultingRequestAsync(app);
        var page = await WebSession.ParseAsync(response);
        var html = page.DocumentElement.OuterHtml;

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("Something went wrong", page.QuerySelector("h1")?.TextContent);
        var reference = page.QuerySelector("p.text-muted code")?.TextContent;
        Assert.False(string.IsNullOrWhiteSpace(reference), html);
        foreach (var leak in new[] { Secret, nameof(InvalidOperationException), nameof(FaultOnRequest), " at EhrShare.", "copied-cookie-value" })
        {
            Assert.DoesNotContain(leak, html, StringComparison.Ordinal);
        }

        var withTheException = sink.Events.Where(e => e.Exception?.Message == Secret).ToList();
        Assert.Contains(withTheException, e => e.Level == LogEventLevel.Error
            && CapturedLogEvents.Render(e).Contains(reference, StringComparison.Ordinal)
            && CapturedLogEvents.Render(e).Contains("/Account/Login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithTheOptInInDevelopment_TheDeveloperPageShows()
    {
        await using var app = FaultingApp("Development", "true", new CapturedLogEvents());

        using var response = await SendFaultingRequestAsync(app);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusCodes_KeepTheirOwnPages()
    {
        await using var app = new EhrAppFactory();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/no-such-page");
        var page = await WebSession.ParseAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Page not found", page.QuerySelector("h1")?.TextContent);
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("p.text-muted code")?.TextContent));
    }

    private static EhrAppFactory FaultingApp(string environment, string developerPage, CapturedLogEvents sink) => new(
        new Dictionary<string, string?> { ["environment"] = environment, ["Web:DeveloperExceptionPage"] = developerPage },
        services =>
        {
            services.AddSingleton<ILogEventSink>(sink);
            services.Configure<MvcOptions>(mvc => mvc.Filters.Add(new FaultOnRequest()));
        });

    private static async Task<HttpResponseMessage> SendFaultingRequestAsync(EhrAppFactory app)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.Add(FaultOnRequest.Header, "1");
        request.Headers.Add("Cookie", "ehrshare.auth=copied-cookie-value");
        return await client.SendAsync(request);
    }

    /// <summary>Throws in front of any action of a request carrying <see cref="Header"/>, except the error page's own.</summary>
    private sealed class FaultOnRequest : IActionFilter
    {
        public const string Header = "X-Test-Fault";

        public void OnActionExecuting(ActionExecutingContext context)
        {
            var request = context.HttpContext.Request;
            if (request.Headers.ContainsKey(Header) && request.Path != "/Home/Error")
            {
                throw new InvalidOperationException(Secret);
            }
        }

        public void OnActionExecuted(ActionExecutedContext context)
        {
        }
    }
}
