using System.Globalization;
using System.Threading.Channels;
using EhrShare.Core.Notifications;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>What was wrong with a node or a share.</summary>
public enum ShareProblemKind
{
    /// <summary>The node refused the connection or the statement, or did not answer in time.</summary>
    Unreachable,

    /// <summary>The node has no share of a committed record.</summary>
    Missing,

    /// <summary>The node's share is unreadable (format, checksum), belongs elsewhere, or does not agree with the
    /// block rebuilt from the other shares.</summary>
    Corrupt,

    /// <summary>A committed record has fewer than k good shares left: it cannot be rebuilt or repaired.</summary>
    Unrecoverable,

    /// <summary>A share on a node that belongs to no live record (unknown or removed), or sits at the wrong x.</summary>
    Orphan,

    /// <summary>A node did not take a share it was given (store, repair or refresh).</summary>
    WriteFailed,

    /// <summary>A node still holds a share of an older generation than the one a record is read from (it missed the
    /// end of a refresh); the repair deletes it once the node has the newest.</summary>
    Stale,
}

/// <summary>One problem, by node and record where that applies. Never holds share bytes.</summary>
public sealed record ShareProblem(ShareProblemKind Kind, string? Node, Guid? RecordId, string Detail)
{
    public override string ToString() =>
        string.Join(": ", new[] { Node, RecordId is { } id ? "record " + id : null, Kind.ToString().ToLowerInvariant(), Detail }.OfType<string>());
}

/// <summary>A node's problems seen on the read and write paths, by every app instance, for the admin monitor.</summary>
public sealed record ShareNodeProblemSummary(
    string Node,
    IReadOnlyDictionary<ShareProblemKind, long> Counts,
    DateTimeOffset? LastProblemAt,
    ShareProblem? LastProblem)
{
    public long Total => Counts.Values.Sum();
}

/// <summary>Where the vault reports the problems it meets on the nodes.</summary>
public interface IShareProblemSink
{
    /// <summary>Takes note of <paramref name="problem"/>; called on the read and write paths, so it neither waits nor throws.</summary>
    void Report(ShareProblem problem);
}

/// <summary>
/// The share nodes' problems as the read and write paths meet them (counted per node and kind, with the last one), and
/// the share scans, kept in the app database (tables <c>ShareNodeProblems</c> and <c>ShareScans</c>) so that every app
/// instance's monitor shows the same, and a restart keeps them. <see cref="Report"/> never waits for the database: the
/// problems are added up in memory and written by <see cref="ShareNodeReportWriter"/> in the background, one upsert per
/// node and kind that adds to the stored count, so instances writing at once add up. A singleton; thread-safe.
/// </summary>
public sealed class ShareNodeReports : IShareProblemSink
{
    private const int DetailLength = 500;
    private const int SummaryLength = 1000;

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<string> _configured;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Channel<bool> _reported = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Notifier? _notifier;
    private Dictionary<(string Node, ShareProblemKind Kind), Tally> _unwritten = [];

    /// <summary>
    /// The counts for the configured nodes. <paramref name="notifier"/> tells the managers; it is absent in a host
    /// without Core's use cases (the share-node tests), where the problems are only stored.
    /// </summary>
    public ShareNodeReports(IOptions<ShareNodeOptions> options, IServiceScopeFactory scopes, TimeProvider clock, Notifier? notifier = null)
    {
        _scopes = scopes;
        _notifier = notifier;
        _clock = clock;
        _configured = [.. options.Value.Nodes.Select((node, i) => node.DisplayName(i))];
    }

    /// <summary>Counts a problem against its node (problems without a node are not counted here).</summary>
    public void Report(ShareProblem problem)
    {
        if (problem.Node is null)
        {
            return;
        }

        var at = _clock.GetUtcNow();
        lock (_gate)
        {
            var key = (problem.Node, problem.Kind);
            _unwritten[key] = _unwritten.TryGetValue(key, out var earlier)
                ? earlier with { Count = earlier.Count + 1, Last = problem, LastAt = at }
                : new Tally(1, problem, at);
        }

        _reported.Writer.TryWrite(true);
    }

    /// <summary>How many reported problems are not in the app database yet.</summary>
    public long UnwrittenCount()
    {
        lock (_gate)
        {
            return _unwritten.Values.Sum(u => u.Count);
        }
    }

    /// <summary>
    /// Adds the problems reported since the last write to the app database, in one transaction. When that fails they
    /// stay here (added to those reported meanwhile) for the next call, and the exception goes to the caller.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            Dictionary<(string Node, ShareProblemKind Kind), Tally> batch;
            lock (_gate)
            {
                if (_unwritten.Count == 0)
                {
                    return;
                }

                batch = _unwritten;
                _unwritten = [];
            }

            try
            {
                await WriteAsync(batch, cancellationToken);
            }
            catch
            {
                Requeue(batch);
                throw;
            }

            // After the write only: the batch is stored, and telling the managers must never count it twice.
            await NotifyAsync(batch);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Every configured node (also those without problems), then any other node that was reported.</summary>
    public async Task<IReadOnlyList<ShareNodeProblemSummary>> SnapshotAsync(CancellationToken cancellationToken)
    {
        List<ShareNodeProblemCount> rows;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            rows = await scope.ServiceProvider.GetRequiredService<EhrDbContext>().ShareNodeProblems.AsNoTracking().ToListAsync(cancellationToken);
        }

        var byNode = rows.GroupBy(r => r.Node, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        var names = _configured.Concat(byNode.Keys.Where(k => !_configured.Contains(k, StringComparer.OrdinalIgnoreCase)));
        return [.. names.Select(name =>
        {
            if (!byNode.TryGetValue(name, out var counts))
            {
                return new ShareNodeProblemSummary(name, new Dictionary<ShareProblemKind, long>(), null, null);
            }

            var last = counts.MaxBy(c => c.LastAt)!;
            return new ShareNodeProblemSummary(
                name,
                counts.ToDictionary(c => c.Kind, c => c.Count),
                last.LastAt,
                new ShareProblem(last.Kind, name, last.LastRecordId, last.LastDetail));
        })];
    }

    /// <summary>One node's status.</summary>
    public async Task<ShareNodeProblemSummary> ForAsync(string node, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).FirstOrDefault(s => string.Equals(s.Node, node, StringComparison.OrdinalIgnoreCase))
        ?? new ShareNodeProblemSummary(node, new Dictionary<ShareProblemKind, long>(), null, null);

    /// <summary>Keeps a completed scan's outcome for the monitor.</summary>
    public async Task RecordScanAsync(ShareScanReport report, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        db.ShareScans.Add(new ShareScanResult
        {
            StartedAt = report.StartedAt,
            FinishedAt = report.FinishedAt,
            RecordsChecked = report.RecordsChecked,
            RecordsUnrecoverable = report.RecordsUnrecoverable,
            ProblemCount = report.Problems.Count + report.ProblemsNotListed,
            Clean = report.IsClean,
            Summary = Truncate(ShareReportText.Summary(report), SummaryLength),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The last scan any instance (or <c>shares scan</c>) recorded, or null before the first.</summary>
    public async Task<ShareScanResult?> LastScanAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().ShareScans.AsNoTracking()
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Returns once a problem was reported since the last call (at once if one was).</summary>
    internal async Task WaitForReportAsync(CancellationToken cancellationToken)
    {
        await _reported.Reader.WaitToReadAsync(cancellationToken);
        _reported.Reader.TryRead(out _);
    }

    private async Task WriteAsync(Dictionary<(string Node, ShareProblemKind Kind), Tally> batch, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Rows in one order in every instance, so two instances writing the same rows wait for each other, never deadlock.
        foreach (var ((node, kind), unwritten) in batch.OrderBy(b => b.Key.Node, StringComparer.OrdinalIgnoreCase).ThenBy(b => b.Key.Kind))
        {
            var kindName = kind.ToString();
            var at = unwritten.LastAt.UtcDateTime;
            var recordId = unwritten.Last.RecordId?.ToString();
            var detail = Truncate(unwritten.Last.Detail, DetailLength);
            // One statement, so instances adding at once add up. MariaDB assigns left to right, each assignment seeing
            // the ones before it: LastAt comes after the columns that compare against the stored LastAt.
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO `ShareNodeProblems` (`Node`, `Kind`, `Count`, `LastAt`, `LastRecordId`, `LastDetail`)
                VALUES ({node}, {kindName}, {unwritten.Count}, {at}, {recordId}, {detail})
                ON DUPLICATE KEY UPDATE
                    `LastRecordId` = IF(VALUES(`LastAt`) >= `LastAt`, VALUES(`LastRecordId`), `LastRecordId`),
                    `LastDetail` = IF(VALUES(`LastAt`) >= `LastAt`, VALUES(`LastDetail`), `LastDetail`),
                    `LastAt` = GREATEST(`LastAt`, VALUES(`LastAt`)),
                    `Count` = `Count` + VALUES(`Count`)
                """,
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The managers are told from here, where every instance's problems are stored: at most once per node and hour
    /// (the once-key), so a failing node does not flood them; the monitor has the counts.
    /// </summary>
    private async Task NotifyAsync(Dictionary<(string Node, ShareProblemKind Kind), Tally> batch)
    {
        if (_notifier is not { } notifier)
        {
            return;
        }

        var hour = _clock.GetUtcNow().UtcDateTime;
        foreach (var node in batch.GroupBy(b => b.Key.Node, StringComparer.OrdinalIgnoreCase))
        {
            var counts = string.Join(", ", node.OrderBy(b => b.Key.Kind).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Value.Count} {b.Key.Kind.ToString().ToLowerInvariant()}")));
            await notifier.ToManagersAsync(
                NotificationKind.ShareNodeProblem,
                $"Share node {node.Key} reported problems ({counts}). The monitor shows them; a repair rewrites missing or corrupt shares.",
                "/Monitor",
                string.Create(CultureInfo.InvariantCulture, $"node:{node.Key}:{hour:yyyyMMddHH}"));
        }
    }

    private void Requeue(Dictionary<(string Node, ShareProblemKind Kind), Tally> batch)
    {
        lock (_gate)
        {
            foreach (var (key, failed) in batch)
            {
                // What was reported meanwhile is newer: it keeps its last problem, and the counts add up.
                _unwritten[key] = _unwritten.TryGetValue(key, out var newer)
                    ? newer with { Count = newer.Count + failed.Count }
                    : failed;
            }
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private sealed record Tally(long Count, ShareProblem Last, DateTimeOffset LastAt);
}
