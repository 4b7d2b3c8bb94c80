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
}
