using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>AddChain as the app uses it: options validation, DI, the "chain" health check and the start-up check.</summary>
public class ChainModuleTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddChain();
        return builder.Build();
    }

    private Dictionary<string, string?> Settings(long? chainId = null, string? contract = null, string? rpcUrl = null) => new()
    {
        ["Chain:RpcUrl"] = rpcUrl ?? chain.Anvil.Url,
        ["Chain:ChainId"] = ChainFixture.Invariant(chainId ?? AnvilProcess.ChainId),
        ["Chain:ManagerPrivateKey"] = AnvilProcess.DevKey0,
        ["Chain:ContractAddress"] = contract ?? chain.Contract.Address.ToString(),
        ["Chain:RequestTimeout"] = "00:00:02",
    };

    [Fact]
    public async Task AddChain_MissingSettings_FailsTheStartNamingEachSetting()
    {
        using var host = BuildHost([]);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Chain:RpcUrl is not set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Chain:ChainId is not set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Chain:ManagerPrivateKey is not set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddChain_MalformedSettings_FailTheStart_WithoutEchoingTheKey()
    {
        var settings = Settings(contract: "0x1234");
        settings["Chain:ManagerPrivateKey"] = "not-a-key-secret-value";
        using var host = BuildHost(settings);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Chain:ContractAddress '0x1234' is not an address", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Chain:ManagerPrivateKey is not 64 hex digits", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key-secret-value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddChain_WithARunningChain_StartsResolvesTheContractAndReportsHealthy()
    {
        using var host = BuildHost(Settings());
        await host.StartAsync();

        var contract = host.Services.GetRequiredService<EhrAccessContract>();
        Assert.Equal(chain.Manager.Address, await contract.OwnerAsync());
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["chain"].Status);
        Assert.Equal(EthKey.FromPrivateKey(AnvilProcess.DevKey0).Address, host.Services.GetRequiredService<IOptions<ChainOptions>>().Value.GetManagerKey().Address);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartupCheck_ChainIdMismatch_FailsTheStart()
    {
        using var host = BuildHost(Settings(chainId: 1));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("reports chain id 31337, but Chain:ChainId is 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupCheck_NoContractCodeAtTheAddress_FailsTheStart()
    {
        using var host = BuildHost(Settings(contract: EthKey.Generate().Address.ToString()));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("No contract code at Chain:ContractAddress", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupCheck_ChainUnreachable_StartsAnyway_AndHealthReportsItDown()
    {
        using var host = BuildHost(Settings(rpcUrl: $"http://127.0.0.1:{AnvilProcess.FreePort()}"));
        await host.StartAsync();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["chain"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("unreachable", entry.Description, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task HealthCheck_WrongChainIdMissingAddressOrMissingCode_IsUnhealthyWithAClearReason()
    {
        async Task<HealthCheckResult> Check(Action<ChainOptions> change)
        {
            var o = new ChainOptions
            {
                RpcUrl = chain.Anvil.Url,
                ChainId = AnvilProcess.ChainId,
                ManagerPrivateKey = AnvilProcess.DevKey0,
                ContractAddress = chain.Contract.Address.ToString(),
            };
            change(o);
            return await new ChainHealthCheck(chain.Rpc, Options.Create(o)).CheckHealthAsync(new HealthCheckContext());
        }

        Assert.Equal(HealthStatus.Healthy, (await Check(_ => { })).Status);
        var wrongId = await Check(o => o.ChainId = 5);
        Assert.Equal(HealthStatus.Unhealthy, wrongId.Status);
        Assert.Contains("chain id is 31337, but Chain:ChainId is 5", wrongId.Description, StringComparison.Ordinal);
        var noAddress = await Check(o => o.ContractAddress = "");
        Assert.Contains("Chain:ContractAddress is not set", noAddress.Description, StringComparison.Ordinal);
        var noCode = await Check(o => o.ContractAddress = EthKey.Generate().Address.ToString());
        Assert.Equal(HealthStatus.Unhealthy, noCode.Status);
        Assert.Contains("No contract code", noCode.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddChain_RegistersOneNonceManagerForTheProcess()
    {
        using var host = BuildHost(Settings());
        var a = host.Services.GetRequiredService<Infrastructure.Ethereum.Transactions.NonceManager>();
        var b = host.Services.GetRequiredService<Infrastructure.Ethereum.Transactions.NonceManager>();
        Assert.Same(a, b);
        Assert.Equal(AnvilProcess.ChainId, await host.Services.GetRequiredService<EthRpcClient>().EthChainIdAsync());
    }
}
