using System.ComponentModel.DataAnnotations;
using System.Net;

namespace EhrShare.Web.Hosting;

/// <summary>Web front settings (section <c>Web</c>).</summary>
public sealed class WebOptions : IValidatableObject
{
    public const string Section = "Web";

    /// <summary>Redirect to HTTPS and send HSTS (env <c>Web__RequireHttps</c>); off in Development and Test.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// The public HTTPS port that HTTPS redirection sends browsers to (env <c>Web__HttpsPort</c>). Needed behind a
    /// TLS-terminating proxy: the app itself listens on plain HTTP, so it cannot find the port on its own and would
    /// not redirect. Unset: ASP.NET Core's own <c>HTTPS_PORT</c> setting or the app's https binding.
    /// </summary>
    [Range(1, 65535, ErrorMessage = "The setting Web:HttpsPort must be a port number (1-65535).")]
    public int? HttpsPort { get; set; }

    /// <summary>
    /// Addresses of reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the app believes (env
    /// <c>Web__KnownProxies__0</c>, …). Empty (the default) with <see cref="KnownNetworks"/> empty: no proxy is
    /// trusted and those headers are ignored from everyone (docs/decisions/forwarded-headers.md).
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted reverse proxies in CIDR notation, e.g. <c>10.0.0.0/24</c> (env <c>Web__KnownNetworks__0</c>, …).</summary>
    public List<string> KnownNetworks { get; set; } = [];

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

    /// <summary>Whether any proxy is trusted, i.e. whether forwarded headers are read at all.</summary>
    public bool TrustsProxies => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    public IReadOnlyList<IPAddress> ProxyAddresses() => KnownProxies.Select(IPAddress.Parse).ToList();

    public IReadOnlyList<IPNetwork> ProxyNetworks() => KnownNetworks.Select(n => IPNetwork.Parse(n)).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i], out _))
            {
                yield return new ValidationResult(
                    $"The setting Web:KnownProxies:{i} (env Web__KnownProxies__{i}) must be an IP address such as 10.0.0.5, not '{KnownProxies[i]}'.",
                    [nameof(KnownProxies)]);
            }
        }

        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(KnownNetworks[i], out _))
            {
                yield return new ValidationResult(
                    $"The setting Web:KnownNetworks:{i} (env Web__KnownNetworks__{i}) must be a network in CIDR notation such as 10.0.0.0/24, not '{KnownNetworks[i]}'.",
                    [nameof(KnownNetworks)]);
            }
        }
    }
}
