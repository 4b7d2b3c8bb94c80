using System.Collections.Concurrent;
using System.Globalization;
using EhrShare.Core.Access;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// Sends the access-log outbox to the chain in the background, in batches. It scans for entries that are due (Pending
/// or Sent, <see cref="AccessLogEntry.NextAttemptAt"/> reached) every <see cref="OutboxOptions.PollInterval"/>, at once
/// (after <see cref="OutboxOptions.BatchWait"/>, so a batch can fill) when <see cref="AccessLogSignal"/> fires, and
/// again right away while scans come back full. A doctor's Pending entries go out together, up to
/// <see cref="OutboxOptions.MaxBatch"/> in one transaction, one new batch per account at a time: what arrives while it
/// is on its way forms the next. A patient's own read goes alone; a Sent batch is taken up again as a whole (by its
/// transaction hash). Batches go out concurrently, up to <see cref="OutboxOptions.MaxConcurrency"/>, each handled by
/// <see cref="AccessLogDelivery"/> with a DbContext of its own. The first scan after start also looks up every Sent
/// batch, so transactions sent before a restart are confirmed at once. Everything it knows is in the database: a
/// restart loses nothing. Only the instance holding <see cref="OutboxLeaderLock"/> sends.
/// </summary>
internal sealed class AccessLogDispatcher(
    IServiceScopeFactory scopes,
    AccessLogSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<AccessLogDispatcher> logger) : BackgroundService
{
    /// <summary>The batches on their way (by key: the transaction hash, or the reader for a new batch), and their entries.</summary>
    private readonly ConcurrentDictionary<string, (Task Task, long[] Ids)> _inFlight = new();
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
                        var (batches, full, nextDue) = await ScanAsync(sweep, o, stoppingToken);
                        sweep = false;
                        failures = 0;
                        var failedBefore = Interlocked.Read(ref _deliveryFailures);
                        foreach (var batch in batches)
                        {
                            await slots.WaitAsync(stoppingToken);
                            Start(batch, slots, stoppingToken);
                        }

                        if (full && batches.Count > 0 && Interlocked.Read(ref _deliveryFailures) == failedBefore)
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
                if (o.BatchWait > TimeSpan.Zero)
                {
                    // Let the entries of reads made just after this one join its batch.
                    await Task.Delay(o.BatchWait, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        // Deliveries see the stopping token too; whatever they had not saved is redone after the restart.
        await Task.WhenAll(_inFlight.Values.Select(v => v.Task)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>One transaction's worth of entries: a Sent batch (by its hash) or a reader's Pending entries.</summary>
    private sealed record Batch(string Key, string? TransactionHash, long[] Ids);

    private async Task<(List<Batch> Batches, bool Full, DateTimeOffset? NextDue)> ScanAsync(bool sweep, OutboxOptions o, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IEhrDbContext>();
        var now = time.GetUtcNow();
        var busy = _inFlight.Values.SelectMany(v => v.Ids).ToHashSet();
        var open = db.AccessLog.AsNoTracking().Where(e => e.State == OutboxState.Pending || e.State == OutboxState.Sent);
        var dueQuery = sweep
            ? open.Where(e => e.NextAttemptAt <= now || e.State == OutboxState.Sent)
            : open.Where(e => e.NextAttemptAt <= now);
        var candidates = await dueQuery
            .OrderBy(e => e.NextAttemptAt).ThenBy(e => e.Id)
            .Select(e => new { e.Id, e.Actor, e.ActorUserId, e.ActorAccount, e.TransactionHash })
            .Take(o.ScanSize + busy.Count)
            .ToListAsync(cancellationToken);
        var due = candidates.Where(e => !busy.Contains(e.Id)).Take(o.ScanSize).ToList();

        var batches = new List<Batch>();
        foreach (var sent in due.Where(e => e.TransactionHash is not null).GroupBy(e => e.TransactionHash!))
        {
            batches.Add(new Batch("sent " + sent.Key, sent.Key, [.. sent.Select(e => e.Id)]));
        }

        foreach (var reader in due.Where(e => e.TransactionHash is null).GroupBy(e => (e.Actor, e.ActorUserId, e.ActorAccount)))
        {
            var ids = reader.Select(e => e.Id).Order().ToList();
            if (reader.Key.Actor != AccessActor.Doctor)
            {
                // A patient's own reads are logged one per transaction (logOwnAccess).
                batches.AddRange(ids.Select(id => new Batch("own " + id.ToString(CultureInfo.InvariantCulture), null, [id])));
                continue;
            }

            // One new batch per doctor at a time: the nonce order is kept, and what comes in meanwhile fills the next one.
            var key = "new " + reader.Key.ActorUserId + " " + reader.Key.ActorAccount;
            if (!_inFlight.ContainsKey(key))
            {
                batches.Add(new Batch(key, null, [.. ids.Take(o.MaxBatch)]));
            }
        }

        batches.RemoveAll(b => _inFlight.ContainsKey(b.Key) && b.TransactionHash is not null);
        if (due.Count >= o.ScanSize)
        {
            return (batches, true, null);
        }

        var nextDue = await open
            .Where(e => e.NextAttemptAt > now)
            .OrderBy(e => e.NextAttemptAt)
            .Select(e => (DateTimeOffset?)e.NextAttemptAt)
            .FirstOrDefaultAsync(cancellationToken);
        return (batches, false, nextDue);
    }

    private void Start(Batch batch, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(batch.Key, (started.Task, batch.Ids)))
        {
            slots.Release();
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var delivery = scope.ServiceProvider.GetRequiredService<AccessLogDelivery>();
                _ = batch.TransactionHash is { } hash
                    ? await delivery.DeliverSentAsync(hash, stoppingToken)
                    : await delivery.DeliverPendingAsync(batch.Ids, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the entries' saved state says where to go on.
            }
            catch (Exception ex)
            {
                // The database (or the configuration, e.g. no Chain:ContractAddress) failed: the entries keep their saved
                // state and come up again. Logged less often while it lasts.
                var n = Interlocked.Increment(ref _deliveryFailures);
                if (n is 1 or 10 or 100 || n % 1000 == 0)
                {
                    logger.LogWarning(ex, "Delivering access-log entries {EntryIds} failed ({Failures} such failures so far); they are retried at a later scan", batch.Ids, n);
                }
            }
            finally
            {
                _inFlight.TryRemove(batch.Key, out _);
                slots.Release();
                started.TrySetResult();
                // Rescan: the reader's next batch may be waiting for this one, and an entry not confirmed yet (a retry, or
                // still in the node's pool) needs the wait to cover its next attempt.
                signal.Notify();
            }
        }, CancellationToken.None);
    }
}
