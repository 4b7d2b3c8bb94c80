using EhrShare.Core.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Monitoring;

public static class MonitoringModule
{
    /// <summary>The admin monitor's snapshot and share-node maintenance.</summary>
    public static IHostApplicationBuilder AddMonitoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IShareNodeStatusSource, ShareNodeMonitoring>();
        builder.Services.AddScoped<ISystemMonitor, SystemMonitor>();
        builder.Services.AddScoped<IShareMaintenance, ShareMaintenance>();
        return builder;
    }
}
