using System.Net;
using System.Text.Json;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>
/// /health's status and, for a caller allowed the detail (here a loopback client: header <see cref="ClientAddress.Header"/>),
/// its entry per dependency. Who gets the detail: <see cref="HealthDetailTests"/>.
/// </summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Health_WithTheTestStackUp_IsHealthyWithOneEntryPerDependency()
    {
        await using var app = new EhrAppFactory(testServices: ClientAddress.Register);
        using var client = ClientAddress.From(app.CreateClient(), "127.0.0.1");

        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var entries = json.RootElement.GetProperty("entries");
        Assert.Equal("Healthy", entries.GetProperty("database").GetProperty("status").GetString());
        for (var i = 1; i <= TestStack.ShareNodeCount; i++)
        {
            Assert.Equal("Healthy", entries.GetProperty($"share-node-{i}").GetProperty("status").GetString());
        }

        var ipfs = entries.GetProperty("ipfs");
        Assert.Equal("Healthy", ipfs.GetProperty("status").GetString());
        Assert.Contains(TestStack.IpfsApiUrl, ipfs.GetProperty("description").GetString(), StringComparison.Ordinal);

        // The chain entry checks the node, the chain id and the contract's code at the configured address.
        Assert.Equal("Healthy", entries.GetProperty("chain").GetProperty("status").GetString());
        Assert.Equal(5 + TestStack.ShareNodeCount - 2, entries.EnumerateObject().Count());
    }

    [Fact]
    public async Task Health_WithAContractAddressWithoutCode_Is503AndSaysTheContractIsMissing()
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?>
        {
            ["Chain:ContractAddress"] = "0x000000000000000000000000000000000000dEaD",
        });

        // The start-up check refuses a configured address without the contract's code.
        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("0x000000000000000000000000000000000000dEaD", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Health_WhenTheIpfsNodeStops_Is503AndSaysIpfsIsDown_AndRecoversWhenItIsBack()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        await using var app = new EhrAppFactory(new Dictionary<string, string?> { ["Ipfs:ApiUrl"] = node.ApiUrl }, ClientAddress.Register);
        using var client = ClientAddress.From(app.CreateClient(), "127.0.0.1");

        var (upStatus, up) = await HealthAsync(client);
        Assert.True(upStatus == HttpStatusCode.OK, up.ToString());
        Assert.Equal("Healthy", up.GetProperty("entries").GetProperty("ipfs").GetProperty("status").GetString());

        await node.StopAsync();
        var (downStatus, down) = await HealthAsync(client);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, downStatus);
        Assert.Equal("Unhealthy", down.GetProperty("status").GetString());
        var ipfs = down.GetProperty("entries").GetProperty("ipfs");
        Assert.Equal("Unhealthy", ipfs.GetProperty("status").GetString());
        var description = ipfs.GetProperty("description").GetString();
        Assert.StartsWith("IPFS node is down: ", description, StringComparison.Ordinal);
        Assert.Contains(node.ApiUrl, description, StringComparison.Ordinal);
        // Only IPFS is down: the other dependencies still say so.
        Assert.Equal("Healthy", down.GetProperty("entries").GetProperty("database").GetProperty("status").GetString());

        await node.StartAgainAsync();
        var (againStatus, again) = await HealthAsync(client);

        Assert.True(againStatus == HttpStatusCode.OK, again.ToString());
        Assert.Equal("Healthy", again.GetProperty("entries").GetProperty("ipfs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_WhenTheAppDatabaseIsUnreachable_Is503AndNamesIt()
    {
        await using var app = new EhrAppFactory(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Server=127.0.0.1;Port={LocalPorts.Free()};Database=ehrshare;User ID=x;Password=y;Connection Timeout=2",
        }, ClientAddress.Register);
        using var anonymous = app.CreateClient();
        using var client = ClientAddress.From(app.CreateClient(), "127.0.0.1");

        // Anyone learns that the app is down, and nothing more.
        using (var outside = await anonymous.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, outside.StatusCode);
            Assert.Equal("""{"status":"Unhealthy"}""", Compact(await outside.Content.ReadAsStringAsync()));
        }

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

    internal static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        return (response.StatusCode, json.RootElement.Clone());
    }
}
