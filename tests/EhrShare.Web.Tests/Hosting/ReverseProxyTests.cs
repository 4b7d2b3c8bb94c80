using System.Globalization;
using System.Net;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>
/// The real app (its own process, HTTPS required) behind a real TLS-terminating nginx on loopback that it is told to
/// trust (<c>Web:KnownProxies</c> = the proxy's address, 127.0.0.2). Browsers reach it through the proxy from 127.0.0.3,
/// so the app's request log can name the client the proxy saw; a direct caller on 127.0.0.1 is not a proxy.
/// </summary>
public sealed class ReverseProxyTests(ReverseProxyTests.Fixture fixture) : IClassFixture<ReverseProxyTests.Fixture>
{
    /// <summary>HSTS is not sent to localhost names, so the tests ask for the site by a name of its own.</summary>
    private const string SiteName = "ehr.test";

    private static readonly IPAddress Browser = IPAddress.Parse("127.0.0.3");
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(30);

    public sealed class Fixture : IAsyncLifetime
    {
        public NginxProcess Proxy { get; private set; } = null!;

        public EhrAppProcess App { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var appPort = LocalPorts.Free();
            Proxy = await NginxProcess.StartAsync(appPort);
            try
            {
                App = await EhrAppProcess.StartAsync(
                    new Dictionary<string, string>
                    {
                        ["Web:RequireHttps"] = "true",
                        ["Web:HttpsPort"] = Proxy.HttpsPort.ToString(CultureInfo.InvariantCulture),
                        ["Web:KnownProxies:0"] = NginxProcess.ProxyAddress.ToString(),
                    },
                    port: appPort,
                    // The app redirects a direct http://…/health to the proxy's HTTPS side: follow it there.
                    healthHandler: Proxy.CreateHandler(IPAddress.Loopback, followRedirects: true));
            }
            catch
            {
                await Proxy.DisposeAsync();
                throw;
            }
        }

        public async Task DisposeAsync()
        {
            if (App is not null)
            {
                await App.DisposeAsync();
            }

            await Proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task OverHttpsThroughTheProxy_ThePageIsServedWithHsts_AndEveryCookieIsSecure()
    {
        var cookies = new SetCookieRecorder(fixture.Proxy.CreateHandler(Browser));
        using var session = new WebSession(Client(cookies, fixture.Proxy.HttpsAddress));

        using (var login = await session.Client.GetAsync("/Account/Login"))
        {
            // Not redirected: the app took X-Forwarded-Proto from the proxy and knows the request is HTTPS.
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.True(login.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no HSTS header over HTTPS");
            Assert.Equal("max-age=15552000", Assert.Single(hsts));
        }

        await session.SignInAsAdminAsync();
        using (var approvals = await session.Client.GetAsync("/Approvals"))
        {
            // The session works through the proxy: the Secure auth cookie came back over HTTPS.
            Assert.Equal(HttpStatusCode.OK, approvals.StatusCode);
        }

        Assert.Contains(cookies.Lines, c => c.StartsWith("ehrshare.csrf=", StringComparison.Ordinal));
        Assert.Contains(cookies.Lines, c => c.StartsWith("ehrshare.auth=", StringComparison.Ordinal));
        Assert.All(cookies.Lines, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies.Lines.Where(c => c.StartsWith("ehrshare.auth=", StringComparison.Ordinal)),
            c => Assert.Contains("; httponly", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OverPlainHttpThroughTheProxy_TheRequestIsRedirectedToTheProxysHttpsSide()
    {
        using var client = Client(fixture.Proxy.CreateHandler(Browser), fixture.Proxy.HttpAddress);

        using var response = await client.GetAsync("/Account/Login?returnUrl=%2FPatient");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(
            new Uri($"https://{SiteName}:{fixture.Proxy.HttpsPort.ToString(CultureInfo.InvariantCulture)}/Account/Login?returnUrl=%2FPatient"),
            response.Headers.Location);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS must not be sent over plain HTTP");
        Assert.False(response.Headers.Contains("Set-Cookie"), "no cookie over plain HTTP");
    }

    [Fact]
    public async Task ForwardedForWrittenByTheClient_IsIgnored_AndTheLogNamesTheClientTheProxySaw()
    {
        using var client = Client(fixture.Proxy.CreateHandler(Browser), fixture.Proxy.HttpsAddress);
        var probe = "/proxy-probe-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, probe);
        // nginx appends the address it saw: "203.0.113.7, 127.0.0.3". Only the proxy's own entry is believed.
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var line = await RequestLogLineAsync(probe);
        Assert.EndsWith($"from {Browser}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedHeadersFromAPeerThatIsNotATrustedProxy_AreIgnored()
    {
        // Straight to the app from 127.0.0.1, claiming to be a proxy that saw an HTTPS client at 203.0.113.7.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.App.BaseAddress };
        var probe = "/proxy-probe-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, probe);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await client.SendAsync(request);

        // Still plain HTTP to the app, so it is sent to HTTPS; and the log names the real peer.
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(Uri.UriSchemeHttps, response.Headers.Location?.Scheme);
        var line = await RequestLogLineAsync(probe);
        Assert.EndsWith("from 127.0.0.1", line, StringComparison.Ordinal);
    }

    private static HttpClient Client(HttpMessageHandler handler, Uri address)
    {
        var client = new HttpClient(handler) { BaseAddress = address };
        client.DefaultRequestHeaders.Host = SiteName;
        return client;
    }

    private async Task<string> RequestLogLineAsync(string path) =>
        (await fixture.App.Output.WaitForLineAsync(
            line => line.Contains($"HTTP GET {path} responded", StringComparison.Ordinal),
            LogTimeout,
            $"the app's request log line for {path}")).Text;

    /// <summary>Every Set-Cookie header the app sent, as the client received it.</summary>
    private sealed class SetCookieRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                lock (_lines)
                {
                    _lines.AddRange(values);
                }
            }

            return response;
        }
    }
}
