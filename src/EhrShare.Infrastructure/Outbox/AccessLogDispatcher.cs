using System.Collections.Concurrent;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// Sends the access-log outbox to the chain in the background. It scans for entries that are due (Pending or Sent,
/// <see cref="AccessLogEntry.NextAttemptAt"/> reached) every <see cref="OutboxOptions.PollInterval"/>, at once when
/// <see cref="AccessLogSignal"/> fires, and again right away while batches come back full. Entries go out concurrently,
/// up to <see cref="OutboxOptions.MaxConcurrency"/>, several per account (the nonce manager orders them), each handled
/// by <see cref="AccessLogDelivery"/> with a DbContext of its own. The first scan after start also looks up every Sent
/// entry, so transactions sent before a restart are confirmed at once. Everything it knows is in the database: a
/// restart loses nothing. Only the instance holding <see cref="OutboxLeaderLock"/> sends.
/// </summary>
internal sealed class AccessLogDispatcher(
    IServiceScopeFactory scopes,
    AccessLogSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<AccessLogDispatcher> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private long _deliveryFailures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.LogInformation("The access-log outbox dispatcher is off (Outbox:Enabled=false)");
            return;
        }

        // Let the host finish starting before the first scan.
        await Task.Yield();
        using var slots = new SemaphoreSlim(o.MaxConcurrency, o.MaxConcurrency);
        await using var leader = new OutboxLeaderLock(logger);
        var sweep = true;
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = o.PollInterval;
                try
                {
                    if (!await leader.HoldAsync(scopes, stoppingToken))
                    {
                        sweep = true;
                    }
                    else
                    {
                        var (due, nextDue) = await ScanAsync(sweep, o.BatchSize, stoppingToken);
                        sweep = false;
                        failures = 0;
                        var failedBefore = Interlocked.Read(ref _deliveryFailures);
                        foreach (var id in due)
                        {
                            await slots.WaitAsync(stoppingToken);
                            Start(id, slots, stoppingToken);
                        }

                        if (due.Count >= o.BatchSize && Interlocked.Read(ref _deliveryFailures) == failedBefore)
                        {
                            continue; // More are due (unless deliveries are failing outright: then wait, do not spin).
                        }

                        if (nextDue is { } next)
                        {
                            wait = TimeSpan.FromTicks(Math.Clamp((next - time.GetUtcNow()).Ticks, 0, o.PollInterval.Ticks));
                        }
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    // Database or configuration trouble: log it (less often while it lasts) and try again.
                    failures++;
                    wait = TimeSpan.FromTicks(Math.Min(o.PollInterval.Ticks * failures, o.MaxBackoff.Ticks + o.PollInterval.Ticks));
                    if (failures is 1 or 10 or 100 || failures % 1000 == 0)
                    {
                        logger.LogWarning(ex, "The access-log outbox scan failed ({Failures} in a row); retrying in {Delay}", failures, wait);
                    }
                }

                await signal.WaitAsync(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        // Deliveries see the stopping token too; whatever they had not saved is redone after the restart.
        await Task.WhenAll(_inFlight.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task<(List<long> Due, DateTimeOffset? NextDue)> ScanAsync(bool sweep, int batchSize, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IEhrDbContext>();
        var now = time.GetUtcNow();
        var busy = _inFlight.Keys.ToHashSet();
        var open = db.AccessLog.AsNoTracking().Where(e => e.State == OutboxState.Pending || e.State == OutboxState.Sent);
        var dueQuery = sweep
            ? open.Where(e => e.NextAttemptAt <= now || e.State == OutboxState.Sent)
            : open.Where(e => e.NextAttemptAt <= now);
        var candidates = await dueQuery
            .OrderBy(e => e.NextAttemptAt).ThenBy(e => e.Id)
            .Select(e => e.Id)
            .Take(batchSize + busy.Count)
            .ToListAsync(cancellationToken);
        var due = candidates.Where(id => !busy.Contains(id)).Take(batchSize).ToList();
        if (due.Count >= batchSize)
        {
            return (due, null);
        }

        var nextDue = await open
            .Where(e => e.NextAttemptAt > now)
            .OrderBy(e => e.NextAttemptAt)
            .Select(e => (DateTimeOffset?)e.NextAttemptAt)
            .FirstOrDefaultAsync(cancellationToken);
        return (due, nextDue);
    }

    private void Start(long id, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(id, started.Task))
        {
            slots.Release();
            return;
        }

        _ = Task.Run(async () =>
        {
            var rescan = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<AccessLogDelivery>().DeliverAsync(id, stoppingToken) is not null)
                {
                    // Not confirmed yet (a retry, or still in the node's pool): rescan, so the wait covers its next attempt.
                    rescan = true;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the entry's saved state says where to go on.
            }
            catch (Exception ex)
            {
                // The database (or the configuration, e.g. no Chain:ContractAddress) failed: the entry keeps its saved
                // state and comes up again. Logged less often while it lasts.
                var n = Interlocked.Increment(ref _deliveryFailures);
                if (n is 1 or 10 or 100 || n % 1000 == 0)
                {
                    logger.LogWarning(ex, "Delivering access-log entry {EntryId} failed ({Failures} such failures so far); it is retried at a later scan", id, n);
                }
            }
            finally
            {
                _inFlight.TryRemove(id, out _);
                slots.Release();
                started.TrySetResult();
                if (rescan)
                {
                    signal.Notify();
                }
            }
        }, CancellationToken.None);
    }
}
