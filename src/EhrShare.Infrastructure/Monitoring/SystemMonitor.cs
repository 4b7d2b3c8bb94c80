using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Monitoring;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ipfs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Monitoring;

/// <summary>
/// Gathers the monitor's snapshot from every part at once; a part that is down is shown as down, never as an error
/// page. Accounts are shown by user name where the app knows them.
/// </summary>
internal sealed class SystemMonitor(
    IEhrDbContext db,
    PeopleDirectory people,
    ChainMonitor chain,
    ChainEventWindows windows,
    KuboRpcClient ipfs,
    HealthCheckService health,
    IShareNodeStatusSource nodes,
    OperationLatencies latencies,
    IOptions<ChainOptions> chainOptions,
    TimeProvider clock) : ISystemMonitor
{
    private const int BlockCount = 10;
    private const int EventCount = 40;
    private const int AlertCount = 50;

    public async Task<MonitorSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        // IPFS and the nodes in the background; everything that uses the (one, scoped) DbContext in sequence.
        var ipfsTask = IpfsAsync(cancellationToken);
        var nodesTask = NodesAsync(cancellationToken);
        var lastScanTask = nodes.LastScanAsync(cancellationToken);
        var outbox = await OutboxAsync(cancellationToken);
        var records = await RecordsAsync(cancellationToken);
        var chainStatus = await ChainAsync(cancellationToken);
        return new MonitorSnapshot(clock.GetUtcNow(), chainStatus, await nodesTask, await lastScanTask, await ipfsTask, outbox, records, latencies.Summaries());
    }

    private async Task<ChainStatus> ChainAsync(CancellationToken cancellationToken)
    {
        var options = chainOptions.Value;
        try
        {
            var blocks = await chain.GetRecentBlocksAsync(BlockCount, cancellationToken);
            // From the chain index (newest rows only) and the few blocks after its cursor, read live.
            var window = await windows.OpenAsync(new LedgerEventQuery(), cancellationToken);
            var through = window.IndexedThrough;
            var tail = window.Tail.Reverse().ToList();
            var latest = await db.ChainEvents.AsNoTracking().Where(e => e.BlockNumber <= through)
                .OrderByDescending(e => e.BlockNumber).ThenByDescending(e => e.LogIndex).Take(EventCount).ToListAsync(cancellationToken);
            var events = tail.Concat(latest.Select(e => e.ToLedgerEvent())).Take(EventCount).ToList();

            // Emergencies, denials and suspensions get a list of their own, so that a busy chain does not push them
            // out of sight among the latest events.
            var latestAlerts = await db.ChainEvents.AsNoTracking().Where(e => e.IsAlert && e.BlockNumber <= through)
                .OrderByDescending(e => e.BlockNumber).ThenByDescending(e => e.LogIndex).Take(AlertCount).ToListAsync(cancellationToken);
            var alerts = tail.Where(IsAlert).Concat(latestAlerts.Select(e => e.ToLedgerEvent())).Take(AlertCount).ToList();
            var accounts = blocks.SelectMany(b => b.Transactions).Select(t => t.From.ToString())
                .Concat(events.Concat(alerts).SelectMany(e => new[] { e.Patient, e.Doctor }).OfType<string>())
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var names = await NamesAsync(accounts, cancellationToken);
            string Name(string? account) => account is null ? "" : names.TryGetValue(account, out var n) ? n : Short(account);

            return new ChainStatus(true, null, options.ChainId, blocks.Count > 0 ? blocks[0].Number : null, options.ContractAddress,
                blocks.Select(b => new BlockView(b.Number, b.Timestamp, b.GasUsed,
                    b.Transactions.Select(t => new TransactionView(t.Hash, Name(t.From.ToString()), t.Function, t.GasUsed, t.Succeeded)).ToList())).ToList(),
                events.Select(View).ToList(),
                alerts.Select(View).ToList())
            {
                EventsAsOfBlock = window.AsOfBlock,
            };

            EventView View(LedgerEvent e) => new(e.BlockNumber, e.BlockTime, e.Name, e.Patient is null ? null : Name(e.Patient),
                e.Doctor is null ? null : Name(e.Doctor), e.RecordId, e.Detail, IsAlert(e));
        }
        catch (Exception e) when (e is ChainException or DependencyUnavailableException or HttpRequestException)
        {
            return new ChainStatus(false, e.Message, options.ChainId, null, options.ContractAddress, [], [], []);
        }
    }

    private static bool IsAlert(LedgerEvent e) => ChainEventKinds.IsAlert(e);

    private async Task<IpfsStatus> IpfsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await ipfs.VersionAsync(cancellationToken);
            var id = await ipfs.IdAsync(cancellationToken);
            var stat = await ipfs.RepoStatAsync(cancellationToken);
            return new IpfsStatus(true, null, version.Version, id.Id, stat.RepoSize, stat.NumObjects);
        }
        catch (Exception e) when (e is IpfsException or IpfsUnavailableException)
        {
            return new IpfsStatus(false, e.Message, null, null, null, null);
        }
    }

    private async Task<IReadOnlyList<ShareNodeStatus>> NodesAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(c => c.Name.StartsWith("share-", StringComparison.Ordinal), cancellationToken);
        var counts = await nodes.ShareCountsAsync(cancellationToken);
        var problems = await nodes.ProblemsAsync(cancellationToken);
        return report.Entries.Select(e =>
        {
            var name = e.Key["share-".Length..];
            var seen = problems.GetValueOrDefault(name) ?? new NodeProblems(0, null, null);
            return new ShareNodeStatus(name, e.Value.Status == HealthStatus.Healthy, e.Value.Description,
                counts.TryGetValue(name, out var c) ? c : null, seen.Count, seen.Last, seen.LastAt);
        }).ToList();
    }

    private const int BatchSizeSample = 1000;

    private async Task<OutboxStatus> OutboxAsync(CancellationToken cancellationToken)
    {
        var unconfirmed = db.AccessLog.AsNoTracking().Where(a => a.State != OutboxState.Confirmed);
        var pending = await unconfirmed.CountAsync(a => a.State == OutboxState.Pending, cancellationToken);
        var sent = await unconfirmed.CountAsync(a => a.State == OutboxState.Sent, cancellationToken);
        var oldest = await unconfirmed.OrderBy(a => a.Id).Select(a => (DateTimeOffset?)a.AttemptedAt).FirstOrDefaultAsync(cancellationToken);
        var lastError = await unconfirmed.Where(a => a.LastError != null)
            .OrderByDescending(a => a.Id).Select(a => a.LastError).FirstOrDefaultAsync(cancellationToken);
        return new OutboxStatus(pending, sent, oldest, lastError) { Batches = await BatchSizesAsync(cancellationToken) };
    }

    /// <summary>Batch sizes over the latest logged reads (newest ids first, on the primary key: cheap at any table size).</summary>
    private async Task<OutboxBatchSizes?> BatchSizesAsync(CancellationToken cancellationToken)
    {
        var hashes = await db.AccessLog.AsNoTracking()
            .Where(a => a.State == OutboxState.Confirmed && a.TransactionHash != null)
            .OrderByDescending(a => a.Id)
            .Select(a => a.TransactionHash!)
            .Take(BatchSizeSample)
            .ToListAsync(cancellationToken);
        if (hashes.Count == 0)
        {
            return null;
        }

        var sizes = hashes.CountBy(h => h).Select(g => g.Value).ToList();
        var latest = hashes.Count(h => h == hashes[0]);
        return new OutboxBatchSizes(hashes.Count, sizes.Count, (double)hashes.Count / sizes.Count, sizes.Max(), latest);
    }

    private async Task<RecordCounts> RecordsAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Records.AsNoTracking().GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Count(params RecordState[] states) => counts.Where(c => states.Contains(c.Key)).Sum(c => c.Count);
        return new RecordCounts(Count(RecordState.Committed), Count(RecordState.Pending, RecordState.RollingBack), Count(RecordState.Removed, RecordState.Removing));
    }

    private async Task<Dictionary<string, string>> NamesAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken)
    {
        var names = await people.NamesAsync(accounts, cancellationToken);
        if (chainOptions.Value.GetManagerKey().Address.ToString() is { } manager)
        {
            names[manager] = "EHR manager";
        }

        return names;
    }

    private static string Short(string account) => account.Length > 12 ? account[..6] + "…" + account[^4..] : account;
}

/// <summary>
/// What the share-node module knows beyond health: shares per node, problems seen (by every instance), the last scan.
/// Each call uses a DbContext of its own, so it may run beside the monitor's other queries.
/// </summary>
public interface IShareNodeStatusSource
{
    Task<IReadOnlyDictionary<string, long>> ShareCountsAsync(CancellationToken cancellationToken);

    /// <summary>Per node name: the problems counted and the last one.</summary>
    Task<IReadOnlyDictionary<string, NodeProblems>> ProblemsAsync(CancellationToken cancellationToken);

    Task<ShareScanStatus?> LastScanAsync(CancellationToken cancellationToken);
}

/// <summary>A node's problems as the monitor shows them.</summary>
public sealed record NodeProblems(long Count, string? Last, DateTimeOffset? LastAt);
