using System.Net;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>
/// Forwarded headers are believed only from configured proxies (docs/decisions/forwarded-headers.md); the proxy
/// settings are checked at start. The proxy itself is exercised in <see cref="ReverseProxyTests"/>.
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task WithNoProxyConfigured_NotEvenALoopbackPeer_IsTrusted()
    {
        // ASP.NET Core's own default would believe a loopback peer; the app's default trusts no one.
        await using var app = new EhrAppFactory(
            new Dictionary<string, string?> { ["Web:RequireHttps"] = "true", ["Web:HttpsPort"] = "443" },
            ClientAddress.Register);
        using var client = ClientAddress.From(app.CreateClient(new() { AllowAutoRedirect = false }), "127.0.0.1");
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await client.GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https://localhost/Account/Login", response.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("Web:KnownProxies:0", "proxy.example.org")]
    [InlineData("Web:KnownNetworks:0", "10.0.0.5")]
    [InlineData("Web:KnownNetworks:0", "10.0.0.0/33")]
    [InlineData("Web:HttpsPort", "70000")]
    public async Task Start_WithAProxySettingThatIsNotAnAddress_FailsNamingTheSetting(string setting, string value)
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?> { [setting] = value });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
