namespace EhrShare.Web.Hosting;

/// <summary>Web front settings (section <c>Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Redirect to HTTPS and send HSTS (env <c>Web__RequireHttps</c>); off in Development and Test.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// Show ASP.NET Core's developer exception page instead of the error page (env <c>Web__DeveloperExceptionPage</c>;
    /// off). Honoured only in Development: the page shows stack traces and echoes the request's cookies, the auth cookie
    /// included, so even <c>./ehr run</c> (Development) shows the error page unless a developer opts in.
    /// </summary>
    public bool DeveloperExceptionPage { get; set; }

    /// <summary>
    /// Give <c>/health</c>'s per-dependency detail to loopback callers without forwarding headers (env
    /// <c>Web__HealthDetailForLoopback</c>; on). Turn it off behind a reverse proxy on the same machine that does not
    /// send <c>X-Forwarded-For</c>; the signed-in manager always gets the detail.
    /// </summary>
    public bool HealthDetailForLoopback { get; set; } = true;
}
