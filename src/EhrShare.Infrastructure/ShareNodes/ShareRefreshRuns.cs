using System.Threading.Channels;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>Starting a refresh was refused: one is running already (<see cref="Running"/>).</summary>
public sealed class ShareRefreshAlreadyRunningException(ShareRefreshRun running)
    : EhrShare.Core.Common.EhrException($"A refresh of all records is running already (started by {running.StartedBy} at {running.StartedAt:u}, {running.RecordsDone} of {running.RecordsTotal} done).")
{
    public ShareRefreshRun Running { get; } = running;
}

/// <summary>Wakes this instance's <see cref="ShareRefreshWorker"/> when a run is started here.</summary>
public sealed class ShareRefreshSignal
{
    private readonly Channel<bool> _started = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _started.Writer.TryWrite(true);

    /// <summary>Returns when a run was started here since the last call, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await _started.Reader.WaitToReadAsync(wait.Token);
            _started.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }
}

/// <summary>
/// The refreshes of all records as the monitor and <c>shares refresh</c> see them: start one, cancel the running one,
/// and the latest. The work itself is <see cref="ShareRefreshRunner"/>'s.
/// </summary>
public sealed class ShareRefreshRuns(EhrDbContext db, ShareRefreshSignal signal, TimeProvider clock, ILogger<ShareRefreshRuns> logger)
{
    /// <summary>
    /// Starts a refresh of every record committed by now, unless one is running.
    /// </summary>
    /// <exception cref="ShareRefreshAlreadyRunningException">One is running: nothing was changed.</exception>
    public async Task<ShareRefreshRun> StartAsync(string startedBy, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(startedBy))
        {
            throw new ArgumentException("Who starts the refresh must be named.", nameof(startedBy));
        }

        if (await RunningAsync(cancellationToken) is { } running)
        {
            throw new ShareRefreshAlreadyRunningException(running);
        }

        var now = clock.GetUtcNow();
        var run = new ShareRefreshRun
        {
            StartedBy = startedBy.Length > ShareRefreshRun.NameLength ? startedBy[..ShareRefreshRun.NameLength] : startedBy,
            StartedAt = now,
            UpdatedAt = now,
            State = ShareRefreshState.Running,
            Active = true,
            RecordsTotal = await ShareRefreshRunner.Eligible(db, now).CountAsync(cancellationToken),
        };
        db.ShareRefreshRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another manager (or instance) started one at the same moment: the unique Active column refused ours.
            db.Entry(run).State = EntityState.Detached;
            if (await RunningAsync(cancellationToken) is { } other)
            {
                throw new ShareRefreshAlreadyRunningException(other);
            }

            throw;
        }

        db.Entry(run).State = EntityState.Detached;
        logger.LogInformation("Share refresh run {Run} started by {StartedBy}: {Total} record(s)", run.Id, run.StartedBy, run.RecordsTotal);
        signal.Notify();
        return run;
    }

    /// <summary>Cancels the running refresh, if any; the records done keep their new shares, the others their old.
    /// Returns the run cancelled, or null when none was running.</summary>
    public async Task<ShareRefreshRun?> CancelAsync(string cancelledBy, CancellationToken cancellationToken)
    {
        if (await RunningAsync(cancellationToken) is not { } running)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var outcome = $"Cancelled by {cancelledBy}.";
        var changed = await db.ShareRefreshRuns
            .Where(r => r.Id == running.Id && r.State == ShareRefreshState.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, ShareRefreshState.Cancelled)
                .SetProperty(r => r.Active, (bool?)null)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.UpdatedAt, now)
                .SetProperty(r => r.Outcome, outcome),
                cancellationToken);
        if (changed == 0)
        {
            return null;
        }

        logger.LogInformation("Share refresh run {Run} cancelled by {CancelledBy}", running.Id, cancelledBy);
        return await FindAsync(running.Id, cancellationToken);
    }

    /// <summary>How many records a run started now would refresh.</summary>
    public Task<int> CountEligibleAsync(CancellationToken cancellationToken) =>
        ShareRefreshRunner.Eligible(db, clock.GetUtcNow()).CountAsync(cancellationToken);

    /// <summary>The newest run (running or not), or null before the first.</summary>
    public Task<ShareRefreshRun?> LatestAsync(CancellationToken cancellationToken) =>
        db.ShareRefreshRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);

    public Task<ShareRefreshRun?> RunningAsync(CancellationToken cancellationToken) =>
        db.ShareRefreshRuns.AsNoTracking().FirstOrDefaultAsync(r => r.State == ShareRefreshState.Running, cancellationToken);

    public Task<ShareRefreshRun?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.ShareRefreshRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
}
