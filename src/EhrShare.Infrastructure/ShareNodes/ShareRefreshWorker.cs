using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// Runs the refresh of all records in the background of every app instance: at start (a run left by a crash goes on
/// from its last saved batch), when a manager starts one here, and every <see cref="ShareRefreshSettings.PollInterval"/>
/// (a run started on another instance or by <c>shares refresh</c>, whose holder died). Only the holder of
/// the refresh lock (<see cref="ShareRefreshRunner.LockName"/>) works; the others look again later.
/// </summary>
internal sealed class ShareRefreshWorker(
    IServiceScopeFactory scopes,
    ShareRefreshSignal signal,
    IOptions<ShareNodeOptions> options,
    ILogger<ShareRefreshWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var step = await scope.ServiceProvider.GetRequiredService<ShareRefreshRunner>().RunAsync(null, stoppingToken);
                if (step == ShareRefreshStep.Ended)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MySqlException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // The app database did not answer: the run keeps its saved progress; look again later.
                logger.LogWarning(e, "The share refresh could not go on; trying again in {Interval}", options.Value.Refresh.PollInterval);
            }

            await signal.WaitAsync(options.Value.Refresh.PollInterval, stoppingToken);
        }
    }
}
