using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

public sealed class ShareNodesModuleTests
{
    [Fact]
    public async Task AddShareNodes_WiresOneVaultForTheApp_AndTheScanRepairAndRefreshServices()
    {
        using var host = Build(new Dictionary<string, string?> { ["ShareNodes:Field"] = "Prime127" });
        await host.StartAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;

        var vault = services.GetRequiredService<IShareVault>();
        Assert.Same(services.GetRequiredService<ShareVault>(), vault);
        Assert.NotNull(services.GetRequiredService<ShareScan>());
        Assert.NotNull(services.GetRequiredService<ShareRepair>());
        Assert.NotNull(services.GetRequiredService<ShareRefresh>());
        Assert.Same(services.GetRequiredService<ShareNodeReports>(), services.GetRequiredService<IShareProblemSink>());
        Assert.Equal(TestStack.ShareNodeCount, (await services.GetRequiredService<ShareNodeReports>().SnapshotAsync(CancellationToken.None)).Count);

        var id = Guid.NewGuid();
        var block = RandomBlock(500);
        await vault.StoreAsync(id, block, CancellationToken.None);
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Equal(Sharing.ShareField.Prime127, Sharing.Share.Parse(await ReadStoredAsync(TestStack.ShareNodeConnectionString(0), id)).Field);
        await vault.DestroyAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task AddShareNodes_WithAnUnknownField_FailsAtStart_NamingTheSetting()
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

        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddPersistence();
        builder.AddShareNodes();
        return builder.Build();
    }
}
