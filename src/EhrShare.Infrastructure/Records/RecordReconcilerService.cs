using EhrShare.Core.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Records;

/// <summary>
/// Runs <see cref="ReconcileRecords"/> shortly after start-up and then every Records:ReconcileInterval, so uploads and
/// removals a crash or an outage left half done are finished or rolled back.
/// </summary>
internal sealed class RecordReconcilerService(
    IServiceScopeFactory scopes,
    IOptions<RecordOptions> options,
    ILogger<RecordReconcilerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the app finish starting (and its dependencies answer) before the first pass.
        await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var report = await scope.ServiceProvider.GetRequiredService<ReconcileRecords>().RunOnceAsync(stoppingToken);
                if (report.Committed + report.RolledBack + report.Removed + report.Left > 0)
                {
                    logger.LogInformation(
                        "Reconciler: {Committed} committed, {RolledBack} rolled back, {Removed} removals finished, {Left} left for later",
                        report.Committed, report.RolledBack, report.Removed, report.Left);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Reconciler pass failed: {Error}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class RecordsModule
{
    /// <summary>The background reconciler of half-finished uploads and removals.</summary>
    public static IHostApplicationBuilder AddRecordReconciler(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RecordReconcilerService>();
        return builder;
    }
}
