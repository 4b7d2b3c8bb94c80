namespace EhrShare.Web.Hosting;

/// <summary>Web front settings (section <c>Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Redirect to HTTPS and send HSTS (env <c>Web__RequireHttps</c>); off in Development and Test.</summary>
    public bool RequireHttps { get; set; } = true;
}
