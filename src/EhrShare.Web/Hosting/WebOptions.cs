using System.ComponentModel.DataAnnotations;

namespace EhrShare.Web.Hosting;

/// <summary>Web front settings (section <c>Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Redirect to HTTPS and send HSTS (env <c>Web__RequireHttps</c>); off in Development and Test.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>Largest record a patient may upload, in bytes (env <c>Web__MaxUploadBytes</c>; default 100 MiB).</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Web:MaxUploadBytes must be positive.")]
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;
}
