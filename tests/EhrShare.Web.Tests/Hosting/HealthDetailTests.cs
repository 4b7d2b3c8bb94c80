using System.Net;
using System.Text.Json;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>
/// /health's detail names the databases, the share nodes, the IPFS URL and the contract: only the signed-in manager
/// and a loopback caller that no proxy forwarded get it; everyone else gets the overall status only. The in-process
/// server's requests have no client address unless a test names one, and that counts as not loopback.
/// </summary>
public sealed class HealthDetailTests(HealthDetailTests.Fixture fixture) : IClassFixture<HealthDetailTests.Fixture>
{
    public sealed class Fixture : IAsyncDisposable
    {
        public EhrAppFactory App { get; } = new(testServices: ClientAddress.Register);

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("203.0.113.7")]
    [InlineData("10.0.0.5")]
    public async Task AnAnonymousCaller_GetsOnlyTheOverallStatus(string? address)
    {
        using var client = fixture.App.CreateClient();
        if (address is not null)
        {
            ClientAddress.From(client, address);
        }

        var (status, body) = await HealthAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"status":"Healthy"}""", HealthTests.Compact(body));
        Assert.DoesNotContain(TestStack.IpfsApiUrl, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task ALoopbackCaller_GetsTheDetail(string address)
    {
        using var client = ClientAddress.From(fixture.App.CreateClient(), address);

        var (status, body) = await HealthAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        AssertDetail(body);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    public async Task ALoopbackCallerWithForwardingHeaders_IsAProxiedClient_AndGetsOnlyTheStatus(string header, string value)
    {
        using var client = ClientAddress.From(fixture.App.CreateClient(), "127.0.0.1");
        client.DefaultRequestHeaders.Add(header, value);

        var (status, body) = await HealthAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"status":"Healthy"}""", HealthTests.Compact(body));
    }

    [Fact]
    public async Task TheManager_GetsTheDetail_FromAnyAddress()
    {
        using var admin = WebSession.For(fixture.App);
        ClientAddress.From(admin.Client, "203.0.113.8");
        await admin.SignInAsAdminAsync();

        var (status, body) = await HealthAsync(admin.Client);

        Assert.Equal(HttpStatusCode.OK, status);
        AssertDetail(body);
    }

    [Fact]
    public async Task ASignedInPatient_GetsOnlyTheOverallStatus()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        await session.SignInAsync(patient.Email, World.Password);

        var (status, body) = await HealthAsync(session.Client);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"status":"Healthy"}""", HealthTests.Compact(body));
    }

    [Fact]
    public async Task WithLoopbackDetailTurnedOff_ALoopbackCaller_GetsOnlyTheStatus()
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?> { ["Web:HealthDetailForLoopback"] = "false" }, ClientAddress.Register);
        using var client = ClientAddress.From(app.CreateClient(), "127.0.0.1");

        var (status, body) = await HealthAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"status":"Healthy"}""", HealthTests.Compact(body));
    }

    private static void AssertDetail(string body)
    {
        using var json = JsonDocument.Parse(body);
        var entries = json.RootElement.GetProperty("entries");
        Assert.Equal("Healthy", entries.GetProperty("database").GetProperty("status").GetString());
        Assert.Contains(TestStack.IpfsApiUrl, entries.GetProperty("ipfs").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(entries.GetProperty("chain").TryGetProperty("durationMs", out _), body);
    }

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
