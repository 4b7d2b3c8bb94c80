using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using EhrShare.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>What <c>AddShareNodes</c> makes of the settings: the field the vault shares in, and one health entry per
/// node under the node's name.</summary>
public sealed class ShareNodesModuleTests
{
    [Theory]
    [InlineData("Prime127", ShareField.Prime127)]
    [InlineData(null, ShareField.Gf256)]
    public async Task TheVault_SharesInTheConfiguredField_AndRebuildsTheBlock(string? setting, ShareField stored)
    {
        using var host = Build(new Dictionary<string, string?> { ["ShareNodes:Field"] = setting });
        await host.StartAsync();
        var vault = host.Services.GetRequiredService<IShareVault>();
        var id = Guid.NewGuid();
        var block = RandomBlock(500);

        await vault.StoreAsync(id, block, CancellationToken.None);

        try
        {
            for (var node = 0; node < TestStack.ShareNodeCount; node++)
            {
                var share = Share.Parse(await ReadStoredAsync(TestStack.ShareNodeConnectionString(node), id));
                Assert.Equal((stored, (byte)(node + 1)), (share.Field, share.X));
            }

            Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        }
        finally
        {
            await vault.DestroyAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task EachNode_HasAHealthEntry_UnderItsName_AndOnlyTheNodeThatIsDownIsUnhealthy()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            ["ShareNodes:Nodes:0:Name"] = "east",
            ["ShareNodes:Nodes:1:ConnectionString"] = ClosedPort(1),
        });

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(CancellationToken.None);

        var shares = report.Entries.Where(e => e.Key.StartsWith("share-", StringComparison.Ordinal)).ToDictionary();
        var expected = Enumerable.Range(1, TestStack.ShareNodeCount).Select(i => i == 1 ? "share-east" : $"share-node-{i}").Order();
        Assert.Equal(expected, shares.Keys.Order());
        Assert.Equal(HealthStatus.Healthy, shares["share-east"].Status);
        Assert.Equal(HealthStatus.Unhealthy, shares["share-node-2"].Status);
        Assert.All(shares.Where(e => e.Key is not ("share-east" or "share-node-2")), e => Assert.Equal(HealthStatus.Healthy, e.Value.Status));
    }

    [Fact]
    public async Task AnUnknownField_FailsAtStart_NamingTheSetting()
    {
        using var host = Build(new Dictionary<string, string?> { ["ShareNodes:Field"] = "Gf65536" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ShareNodes:Field", error.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var config = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = TestStack.AppDbConnectionString,
            ["DataProtection:KeyEncryptionKey"] = TestStack.KeyEncryptionKey,
        };
        for (var i = 0; i < TestStack.ShareNodeCount; i++)
        {
            config[$"ShareNodes:Nodes:{i}:ConnectionString"] = TestStack.ShareNodeConnectionString(i);
        }

        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddPersistence();
        builder.AddShareNodes();
        return builder.Build();
    }
}
