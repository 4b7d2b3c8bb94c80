using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_WithTheTestStackUp_IsHealthyWithOneEntryPerDependency()
    {
        await using var app = new EhrAppFactory();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var entries = json.RootElement.GetProperty("entries");
        Assert.Equal("Healthy", entries.GetProperty("database").GetProperty("status").GetString());
        for (var i = 1; i <= Testing.TestStack.ShareNodeCount; i++)
        {
            Assert.Equal("Healthy", entries.GetProperty($"share-node-{i}").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Health_WhenTheAppDatabaseIsUnreachable_Is503AndNamesIt()
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Server=127.0.0.1;Port={ClosedPort()};Database=ehrshare;User ID=x;Password=y;Connection Timeout=2",
        });
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        var database = json.RootElement.GetProperty("entries").GetProperty("database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        Assert.Contains("unreachable", database.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", json.RootElement.GetProperty("entries").GetProperty("share-node-1").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Start_WithoutTheDatabaseConnectionString_FailsNamingTheSetting()
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?> { ["Database:ConnectionString"] = "" });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("Database:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAThresholdAboveTheNodeCount_FailsNamingTheSetting()
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?> { ["ShareNodes:Threshold"] = "9" });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("ShareNodes:Threshold", error.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
