using EhrShare.Core.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.ShareNodes;

public static class ShareNodesModule
{
    /// <summary>
    /// The share nodes (section <c>ShareNodes</c>, validated at start): <see cref="IShareVault"/> (a singleton
    /// <see cref="ShareVault"/>), the scan, repair and refresh services the admin pages and <c>shares scan|repair|refresh</c>
    /// use, the background refresh of all records (<see cref="ShareRefreshWorker"/>), <see cref="ShareNodeReports"/> for the monitor (kept in the app database, written in the background by
    /// <see cref="ShareNodeReportWriter"/>: needs <c>AddPersistence</c>), and one health entry per node.
    /// </summary>
    public static IHostApplicationBuilder AddShareNodes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShareNodeOptions>()
            .BindConfiguration(ShareNodeOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ShareNodeReports>();
        builder.Services.AddSingleton<IShareProblemSink>(services => services.GetRequiredService<ShareNodeReports>());
        builder.Services.AddHostedService<ShareNodeReportWriter>();
        builder.Services.AddSingleton<ShareVault>();
        builder.Services.AddSingleton<IShareVault>(services => services.GetRequiredService<ShareVault>());
        builder.Services.AddScoped<ShareScan>();
        builder.Services.AddScoped<ShareRepair>();
        builder.Services.AddScoped<ShareRefresh>();
        builder.Services.AddScoped<ShareRefreshRunner>();
        builder.Services.AddScoped<ShareRefreshRuns>();
        builder.Services.AddSingleton<ShareRefreshSignal>();
        builder.Services.AddHostedService<ShareRefreshWorker>();

        // One health entry per node, so /health names the node that is down.
        var configured = builder.Configuration.GetSection(ShareNodeOptions.Section).Get<ShareNodeOptions>() ?? new();
        var health = builder.Services.AddHealthChecks();
        for (var i = 0; i < configured.Nodes.Count; i++)
        {
            var connectionString = configured.Nodes[i].ConnectionString;
            health.AddCheck($"share-{configured.Nodes[i].DisplayName(i)}", new ShareNodeHealthCheck(connectionString),
                timeout: TimeSpan.FromSeconds(5));
        }

        return builder;
    }
}
