using System.Data.Common;
using EhrShare.Core.Chain.Index;
using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Chain.Index;

/// <summary>
/// Keeps the chain index up to date in the background: steps through ranges until caught up, then looks again every
/// <see cref="ChainIndexOptions.PollInterval"/>. A chain or database that does not answer is retried with a growing
/// pause (at most 30 s), logged once until it recovers. Every instance may run it: the cursor keeps them from writing
/// the same range twice (<see cref="ChainIndexWriter"/>).
/// </summary>
internal sealed class ChainIndexService(
    IServiceScopeFactory scopes,
    IOptions<ChainIndexOptions> options,
    TimeProvider time,
    ILogger<ChainIndexService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.LogInformation("The chain indexer is off in this instance (ChainIndex:Enabled=false)");
            return;
        }

        await Task.Yield();
        var failures = 0;
        await using var scope = scopes.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<ChainIndexWriter>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = o.PollInterval;
            try
            {
                ChainIndexStep step;
                do
                {
                    step = await writer.StepAsync(stoppingToken);
                }
                while (step is ChainIndexStep.Indexed or ChainIndexStep.Reorganised or ChainIndexStep.Reset or ChainIndexStep.Narrowed
                       && !stoppingToken.IsCancellationRequested);

                if (failures > 0)
                {
                    logger.LogInformation("The chain indexer reads the chain again");
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is ChainException or HttpRequestException or DbException or DbUpdateException or TimeoutException
                                          or InvalidOperationException or OperationCanceledException)
            {
                failures++;
                if (failures == 1)
                {
                    logger.LogWarning("The chain indexer could not read the chain or write the index: {Reason}; retrying", e.Message);
                }

                logger.LogDebug(e, "Chain indexer failure {Failures}", failures);
                wait = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, o.PollInterval.Ticks << Math.Min(failures, 10)));
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

public static class ChainIndexModule
{
    /// <summary>The chain index's writer and its background service. Needs <c>AddPersistence</c> and <c>AddChain</c>; the options are the Core's.</summary>
    public static IHostApplicationBuilder AddChainIndex(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<ChainIndexWriter>();
        builder.Services.AddHostedService<ChainIndexService>();
        return builder;
    }
}
