using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>What <see cref="ShareRefreshRunner.RunAsync"/> did.</summary>
public enum ShareRefreshStep
{
    /// <summary>No run is waiting.</summary>
    NothingToDo,

    /// <summary>Another process holds the refresh lock (it is doing the work).</summary>
    HeldElsewhere,

    /// <summary>The run reached its end here: finished, failed or cancelled (read the row).</summary>
    Ended,

    /// <summary>This process stopped (shutting down, or its lock connection dropped); the run stays running for the
    /// next holder of the lock.</summary>
    Stopped,
}

/// <summary>
/// Works through the running refresh of all records, in batches of <see cref="ShareRefreshSettings.BatchSize"/> in
/// record-id order, under the <see cref="NamedLock"/> <see cref="LockName"/>. Each record goes through <see cref="ShareRefresh"/>: wholly
/// old or wholly new shares at every moment. Progress (records done, the last id) is saved after each batch, so a
/// crash redoes at most the batch in flight (a record refreshed twice is as good as once). A node that does not
/// answer is skipped and named on the run (the repair gives it its new share); a node that answers but refuses a
/// share fails the run, since every record after it would fail the same way.
/// </summary>
public sealed class ShareRefreshRunner(
    EhrDbContext db,
    ShareRefresh refresh,
    IOptions<ShareNodeOptions> options,
    TimeProvider clock,
    ILogger<ShareRefreshRunner> logger)
{
    /// <summary>
    /// One refresh at a time across app instances and <c>shares refresh</c>: two refreshes of one record at once could
    /// each write "the next generation" with different polynomials. The lock goes with its holder's connection, so a
    /// process that dies releases it and another takes the run over where its progress was saved.
    /// </summary>
    internal const string LockName = "ehrshare.share-refresh";

    /// <summary>The records a run started at <paramref name="startedAt"/> refreshes.</summary>
    internal static IQueryable<MedicalRecord> Eligible(EhrDbContext db, DateTimeOffset startedAt) =>
        db.Records.AsNoTracking().Where(r => r.State == RecordState.Committed && r.BlockHash != null && r.CommittedAt <= startedAt);

    /// <summary>
    /// Takes the lock and works on the running run until it ends or <paramref name="cancellationToken"/> stops this
    /// process (the record in hand is finished first). <paramref name="onBatch"/> sees the row after each saved batch.
    /// </summary>
    public async Task<ShareRefreshStep> RunAsync(Func<ShareRefreshRun, Task>? onBatch, CancellationToken cancellationToken)
    {
        if (!await db.ShareRefreshRuns.AnyAsync(r => r.State == ShareRefreshState.Running, cancellationToken))
        {
            return ShareRefreshStep.NothingToDo;
        }

        await using var held = await NamedLock.TryTakeAsync(
            NamedLock.ConnectionStringFor(db.Database) ?? throw new InvalidOperationException("A share refresh needs the app database on MariaDB/MySQL (for its lock)."),
            LockName, TimeSpan.Zero, cancellationToken);
        if (held is null)
        {
            return ShareRefreshStep.HeldElsewhere;
        }

        var settings = options.Value.Refresh;
        var first = true;
        while (true)
        {
            // Read under the lock: the run may have ended (or been cancelled) before it was taken.
            var run = await db.ShareRefreshRuns.AsNoTracking().FirstOrDefaultAsync(r => r.State == ShareRefreshState.Running, cancellationToken);
            if (run is null)
            {
                return ShareRefreshStep.Ended;
            }

            if (cancellationToken.IsCancellationRequested || !await held.StillHeldAsync(cancellationToken))
            {
                return ShareRefreshStep.Stopped;
            }

            var query = Eligible(db, run.StartedAt);
            if (run.LastRecordId is { } last)
            {
                query = query.Where(r => r.Id.CompareTo(last) > 0);
            }

            var batch = await query.OrderBy(r => r.Id).Select(r => new { r.Id, r.BlockHash }).Take(settings.BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                await EndAsync(run, ShareRefreshState.Finished, null);
                return ShareRefreshStep.Ended;
            }

            if (first && run.LastRecordId is null)
            {
                logger.LogInformation("Share refresh run {Run} (started by {StartedBy}) begins: {Total} record(s)", run.Id, run.StartedBy, run.RecordsTotal);
            }
            else if (first)
            {
                logger.LogInformation("Share refresh run {Run} resumes after record {LastRecordId} ({Done} of {Total} done)",
                    run.Id, run.LastRecordId, run.RecordsDone, run.RecordsTotal);
            }

            first = false;

            int done = 0, failed = 0;
            var skipped = new SortedSet<string>(SplitNodes(run.SkippedNodes), StringComparer.OrdinalIgnoreCase);
            foreach (var record in batch)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    // Not saved: the records of this batch already done are refreshed again by the next holder.
                    return ShareRefreshStep.Stopped;
                }

                try
                {
                    // The record may have been removed since the batch was read: never write shares of a removed record.
                    if (await db.Records.AsNoTracking().AnyAsync(r => r.Id == record.Id && r.State == RecordState.Committed, cancellationToken))
                    {
                        // Not cancelled half way: a record is left wholly refreshed or untouched.
                        var result = await refresh.RunAsync(record.Id, record.BlockHash!, CancellationToken.None);
                        skipped.UnionWith(result.SkippedNodes);
                        skipped.UnionWith(result.NotCleaned);
                    }
                }
                catch (RecordBlockUnavailableException e)
                {
                    failed++;
                    logger.LogWarning("Share refresh run {Run}: record {RecordId} not refreshed: {Reason}", run.Id, record.Id, e.Message);
                }
                catch (DependencyUnavailableException e)
                {
                    await SaveAsync(run, done, failed, skipped, batchLast: null);
                    await EndAsync(run, ShareRefreshState.Failed, $"Stopped at record {record.Id}: {e.Message}");
                    logger.LogWarning("Share refresh run {Run} failed at record {RecordId}: {Reason}", run.Id, record.Id, e.Message);
                    return ShareRefreshStep.Ended;
                }

                done++;
            }

            if (!await SaveAsync(run, done, failed, skipped, batch[^1].Id))
            {
                // Cancelled by a manager meanwhile: the row says so already.
                logger.LogInformation("Share refresh run {Run} stops: it was cancelled", run.Id);
                return ShareRefreshStep.Ended;
            }

            if (onBatch is not null && await db.ShareRefreshRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == run.Id, cancellationToken) is { } saved)
            {
                await onBatch(saved);
            }

            if (settings.BatchPause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(settings.BatchPause, clock, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return ShareRefreshStep.Stopped;
                }
            }
        }
    }

    internal static IEnumerable<string> SplitNodes(string nodes) =>
        nodes.Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Saves a batch's progress while the run is still running; false when it is not (cancelled).</summary>
    private async Task<bool> SaveAsync(ShareRefreshRun run, int done, int failed, IEnumerable<string> skipped, Guid? batchLast)
    {
        var now = clock.GetUtcNow();
        var nodes = Truncate(string.Join(", ", skipped), ShareRefreshRun.TextLength);
        var last = batchLast ?? run.LastRecordId;
        // Saved whatever this process is told: the records are refreshed, and the row must say so.
        var changed = await db.ShareRefreshRuns
            .Where(r => r.Id == run.Id && r.State == ShareRefreshState.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.RecordsDone, r => r.RecordsDone + done)
                .SetProperty(r => r.RecordsFailed, r => r.RecordsFailed + failed)
                .SetProperty(r => r.LastRecordId, last)
                .SetProperty(r => r.SkippedNodes, nodes)
                .SetProperty(r => r.UpdatedAt, now),
                CancellationToken.None);
        return changed == 1;
    }

    private async Task EndAsync(ShareRefreshRun run, ShareRefreshState state, string? outcome)
    {
        var now = clock.GetUtcNow();
        var text = outcome is null ? null : Truncate(outcome, ShareRefreshRun.TextLength);
        var changed = await db.ShareRefreshRuns
            .Where(r => r.Id == run.Id && r.State == ShareRefreshState.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, state)
                .SetProperty(r => r.Active, (bool?)null)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.UpdatedAt, now)
                .SetProperty(r => r.Outcome, text),
                CancellationToken.None);
        if (changed == 1 && state == ShareRefreshState.Finished)
        {
            var saved = await db.ShareRefreshRuns.AsNoTracking().FirstAsync(r => r.Id == run.Id, CancellationToken.None);
            logger.LogInformation(
                "Share refresh run {Run} finished: {Done} record(s), {Failed} not refreshed; nodes skipped: {Skipped}",
                run.Id, saved.RecordsDone, saved.RecordsFailed, saved.SkippedNodes.Length == 0 ? "none" : saved.SkippedNodes);
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
