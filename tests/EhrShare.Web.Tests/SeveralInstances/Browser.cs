using System.Net;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>
/// One browser, one cookie jar, used against both instances: as behind a load balancer that sends each request to any
/// instance. Cookies go by host (127.0.0.1), not port, so what one instance sets the other receives.
/// </summary>
public sealed class Browser : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private readonly Dictionary<Uri, WebSession> _sessions = [];

    /// <summary>This browser's requests to <paramref name="instance"/>.</summary>
    public WebSession On(EhrAppProcess instance)
    {
        if (!_sessions.TryGetValue(instance.BaseAddress, out var session))
        {
            var handler = new HttpClientHandler { CookieContainer = _cookies, UseCookies = true, AllowAutoRedirect = false };
            session = new WebSession(new HttpClient(handler) { BaseAddress = instance.BaseAddress, Timeout = TimeSpan.FromSeconds(100) });
            _sessions[instance.BaseAddress] = session;
        }

        return session;
    }

    /// <summary>The auth cookie the browser holds now, as a Cookie header value (empty when signed out).</summary>
    public string AuthCookie(EhrAppProcess instance) => string.Join("; ", _cookies.GetCookies(instance.BaseAddress)
        .Where(c => c.Name.StartsWith("ehrshare.auth", StringComparison.Ordinal) && c.Value.Length > 0)
        .Select(c => $"{c.Name}={c.Value}"));

    public void Dispose()
    {
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }
    }
}
