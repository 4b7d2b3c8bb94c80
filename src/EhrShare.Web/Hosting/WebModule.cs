using EhrShare.Web.Api;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Serilog;

namespace EhrShare.Web.Hosting;

public static class WebModule
{
    public static IHostApplicationBuilder AddEhrWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebOptions>()
            .BindConfiguration(WebOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddControllersWithViews(mvc =>
        {
            mvc.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
            mvc.Filters.Add<EhrExceptionFilter>();
        });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "ehrshare.csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddEhrStaticFiles();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddScoped<RecordUpload>();
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(180));
        builder.Services.AddOptions<HttpsRedirectionOptions>()
            .Configure<IOptions<WebOptions>>((redirect, web) => redirect.HttpsPort ??= web.Value.HttpsPort);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<WebOptions>>(TrustConfiguredProxies);
        return builder;
    }

    /// <summary>
    /// Forwarded headers only from the configured proxies. ASP.NET Core trusts loopback by default, and an empty list
    /// would make its middleware trust everyone, so the defaults are cleared and the middleware is added only when a
    /// proxy is configured (docs/decisions/forwarded-headers.md).
    /// </summary>
    private static void TrustConfiguredProxies(ForwardedHeadersOptions forwarded, IOptions<WebOptions> options)
    {
        var web = options.Value;
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var address in web.ProxyAddresses())
        {
            forwarded.KnownProxies.Add(address);
        }

        foreach (var network in web.ProxyNetworks())
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        // Walk X-Forwarded-For from the right while each hop is a trusted proxy; the first untrusted address is the
        // client. Entries a client wrote itself lie left of it and are never read.
        forwarded.ForwardLimit = null;
    }

    public static WebApplication UseEhrWeb(this WebApplication app)
    {
        var web = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
        if (web.TrustsProxies)
        {
            // First, so everything after it (HTTPS redirection, HSTS, cookies, logs, sign-in throttling, /health)
            // sees the client's address and scheme.
            app.UseForwardedHeaders();
        }

        // Every response, with its final status: redirects to HTTPS and error pages included.
        app.UseSerilogRequestLogging(o =>
        {
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            // The client's address as the forwarded-headers middleware left it: the proxy's client when the proxy is
            // trusted, otherwise the peer that connected.
            o.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms from {ClientAddress}";
            o.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("ClientAddress", http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        });

        if (!(app.Environment.IsDevelopment() && web.DeveloperExceptionPage))
        {
            // In Development WebApplication puts its developer page outside this pipeline; this handler, inside it,
            // answers first. The error action logs the exception with the page's reference, so the middleware's own
            // log line (without the reference) would only repeat it.
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/Home/Error",
                SuppressDiagnosticsCallback = _ => true,
            });
        }

        if (web.RequireHttps)
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        // Cookies (sign-in, antiforgery, TempData) are Secure on HTTPS requests, and always where HTTPS is required.
        app.UseCookiePolicy(new CookiePolicyOptions
        {
            Secure = web.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest,
        });
        app.UseSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/Home/Status/{0}");
        app.UseApiResponses();
        app.UseEhrStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseTwoFactorRequirement();
        app.MapEhrHealth();
        app.MapSmartConfiguration();
        app.MapEhrOpenApi();
        app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
        return app;
    }
}
