using EhrShare.Core.Chain;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Chain;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ethereum;

public static class ChainModule
{
    /// <summary>
    /// Registers the chain module: <see cref="ChainOptions"/> (section <c>Chain</c>, validated at start), the typed
    /// JSON-RPC client, nonce manager and fee estimator (singletons, shared by all senders), the transaction sender,
    /// <see cref="EhrAccessContract"/> at Chain:ContractAddress, <see cref="ContractDeployer"/>, <see cref="ChainMonitor"/>,
    /// the "chain" health check and the start-up check; and the Core's ports on them: <see cref="IAccessLedger"/>
    /// (scoped) and <see cref="IAccountKeys"/>. Users' keys are protected with the app's Data Protection key ring, which
    /// <c>AddPersistence</c> sets up (kept in the app database, encrypted at rest).
    /// </summary>
    public static IHostApplicationBuilder AddChain(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ChainOptions>()
            .BindConfiguration(ChainOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var environment = builder.Environment;
        services.PostConfigure<ChainOptions>(o =>
            o.ReplaceOutdatedContract ??= environment.IsDevelopment() || environment.IsEnvironment("Test"));

        services.AddHttpClient<EthRpcClient>((sp, http) =>
        {
            var o = sp.GetRequiredService<IOptions<ChainOptions>>().Value;
            http.BaseAddress = new Uri(o.RpcUrl);
            http.Timeout = o.RequestTimeout;
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<NonceManager>();
        services.AddSingleton<FeeEstimator>();
        services.AddTransient<TransactionSender>();
        services.AddTransient<ContractDeployer>();
        services.AddSingleton<BlockTimeCache>();
        services.AddTransient(sp => new EhrAccessContract(
            sp.GetRequiredService<TransactionSender>(),
            sp.GetRequiredService<IOptions<ChainOptions>>().Value.GetContractAddress()
                ?? throw new InvalidOperationException("Chain:ContractAddress is not set: run deploy-contract to deploy EhrAccess and record its address."),
            sp.GetRequiredService<BlockTimeCache>()));
        services.AddTransient(sp => new ChainMonitor(
            sp.GetRequiredService<EthRpcClient>(),
            sp.GetRequiredService<IOptions<ChainOptions>>().Value.GetContractAddress()));

        services.AddSingleton<AccountSigner>();
        services.AddSingleton<IAccountKeys, ChainAccountKeys>();
        services.AddScoped<IAccessLedger, ChainLedger>();

        services.AddHealthChecks().AddCheck<ChainHealthCheck>("chain");
        services.AddHostedService<ChainStartupCheck>();
        return builder;
    }
}
