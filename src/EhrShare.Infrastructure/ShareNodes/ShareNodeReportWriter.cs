using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// Writes the share-node problems this instance reports to the app database (<see cref="ShareNodeReports.FlushAsync"/>)
/// as they come, and once more when the app stops. While the database fails they stay in memory, added up per node and
/// kind (so they take no more room however many come), and the write is retried.
/// </summary>
internal sealed class ShareNodeReportWriter(ShareNodeReports reports, TimeProvider clock, ILogger<ShareNodeReportWriter> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (failures == 0)
                {
                    await reports.WaitForReportAsync(stoppingToken);
                }
                else
                {
                    await Task.Delay(RetryAfter, clock, stoppingToken);
                }

                try
                {
                    await reports.FlushAsync(stoppingToken);
                    failures = 0;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    if (failures is 1 or 10 or 100 || failures % 1000 == 0)
                    {
                        logger.LogWarning(e, "Writing the share-node problem reports to the app database failed ({Failures} in a row); retrying in {Delay}", failures, RetryAfter);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await reports.FlushAsync(cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Count} share-node problem report(s) could not be written to the app database before stopping", reports.UnwrittenCount());
        }
    }
}
