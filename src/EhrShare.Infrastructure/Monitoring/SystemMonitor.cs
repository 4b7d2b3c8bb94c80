using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ipfs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ShareNodeStatus = EhrShare.Core.Monitoring.ShareNodeStatus;

namespace EhrShare.Infrastructure.Monitoring;

/// <summary>
/// Gathers the monitor's snapshot from every part at once; a part that is down is shown as down, never as an error
/// page. Accounts are shown by user name where the app knows them.
/// </summary>
internal sealed class SystemMonitor(
    IEhrDbContext db,
    ChainMonitor chain,
    IAccessLedger ledger,
    KuboRpcClient ipfs,
    HealthCheckService health,
    IShareNodeStatusSource nodes,
    OperationLatencies latencies,
    IOptions<ChainOptions> chainOptions,
    TimeProvider clock) : ISystemMonitor
{
    private const int BlockCount = 10;
    private const int EventCount = 40;

    public async Task<MonitorSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var chainTask = ChainAsync(cancellationToken);
        var ipfsTask = IpfsAsync(cancellationToken);
        var nodesTask = NodesAsync(cancellationToken);
        var outbox = await OutboxAsync(cancellationToken);
        var records = await RecordsAsync(cancellationToken);
        return new MonitorSnapshot(clock.GetUtcNow(), await chainTask, await nodesTask, nodes.LastScan(), await ipfsTask, outbox, records, latencies.Summaries());
    }

    private async Task<ChainStatus> ChainAsync(CancellationToken cancellationToken)
    {
        var options = chainOptions.Value;
        try
        {
            var blocks = await chain.GetRecentBlocksAsync(BlockCount, cancellationToken);
            var events = (await ledger.GetEventsAsync(new LedgerEventQuery(), cancellationToken)).TakeLast(EventCount).Reverse().ToList();
            var accounts = blocks.SelectMany(b => b.Transactions).Select(t => t.From.ToString())
                .Concat(events.SelectMany(e => new[] { e.Patient, e.Doctor }).OfType<string>())
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var names = await NamesAsync(accounts, cancellationToken);
            string Name(string? account) => account is null ? "" : names.TryGetValue(account, out var n) ? n : Short(account);

            return new ChainStatus(true, null, options.ChainId, blocks.Count > 0 ? blocks[0].Number : null, options.ContractAddress,
                blocks.Select(b => new BlockView(b.Number, b.Timestamp, b.GasUsed,
                    b.Transactions.Select(t => new TransactionView(t.Hash, Name(t.From.ToString()), t.Function, t.GasUsed, t.Succeeded)).ToList())).ToList(),
                events.Select(e => new EventView(e.BlockNumber, e.BlockTime, e.Name, e.Patient is null ? null : Name(e.Patient),
                    e.Doctor is null ? null : Name(e.Doctor), e.RecordId, e.Detail,
                    e.Name is "AccessDenied" or "EmergencyAccess" or "AccountSuspended" || e.Allowed == false)).ToList());
        }
        catch (Exception e) when (e is ChainException or DependencyUnavailableException or HttpRequestException)
        {
            return new ChainStatus(false, e.Message, options.ChainId, null, options.ContractAddress, [], []);
        }
    }

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
        return report.Entries.Select(e =>
        {
            var name = e.Key["share-".Length..];
            var problems = nodes.Problems(name);
            return new ShareNodeStatus(name, e.Value.Status == HealthStatus.Healthy, e.Value.Description,
                counts.TryGetValue(name, out var c) ? c : null, problems.Count, problems.Last, problems.LastAt);
        }).ToList();
    }

    private async Task<OutboxStatus> OutboxAsync(CancellationToken cancellationToken)
    {
        var waiting = await db.AccessLog.AsNoTracking()
            .Where(a => a.State != OutboxState.Confirmed)
            .GroupBy(a => a.State)
            .Select(g => new { State = g.Key, Count = g.Count(), Oldest = g.Min(a => a.AttemptedAt) })
            .ToListAsync(cancellationToken);
        var lastError = await db.AccessLog.AsNoTracking()
            .Where(a => a.State != OutboxState.Confirmed && a.LastError != null)
            .OrderByDescending(a => a.Id).Select(a => a.LastError).FirstOrDefaultAsync(cancellationToken);
        return new OutboxStatus(
            waiting.Where(w => w.State == OutboxState.Pending).Sum(w => w.Count),
            waiting.Where(w => w.State == OutboxState.Sent).Sum(w => w.Count),
            waiting.Count == 0 ? null : waiting.Min(w => w.Oldest),
            lastError);
    }

    private async Task<RecordCounts> RecordsAsync(CancellationToken cancellationToken)
    {
        var counts = await db.Records.AsNoTracking().GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Count(params RecordState[] states) => counts.Where(c => states.Contains(c.Key)).Sum(c => c.Count);
        return new RecordCounts(Count(RecordState.Committed), Count(RecordState.Pending, RecordState.RollingBack), Count(RecordState.Removed, RecordState.Removing));
    }

    private async Task<Dictionary<string, string>> NamesAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken)
    {
        var names = (await (
                from account in db.ChainAccounts.AsNoTracking()
                join user in db.Users.AsNoTracking() on account.UserId equals user.Id
                where accounts.Contains(account.Address)
                select new { account.Address, user.DisplayName }).ToListAsync(cancellationToken))
            .ToDictionary(x => x.Address, x => x.DisplayName, StringComparer.OrdinalIgnoreCase);
        if (chainOptions.Value.GetManagerKey().Address.ToString() is { } manager)
        {
            names[manager] = "EHR manager";
        }

        return names;
    }

    private static string Short(string account) => account.Length > 12 ? account[..6] + "…" + account[^4..] : account;
}

/// <summary>What the share-node module knows beyond health: shares per node, problems seen, the last scan.</summary>
public interface IShareNodeStatusSource
{
    Task<IReadOnlyDictionary<string, long>> ShareCountsAsync(CancellationToken cancellationToken);

    (int Count, string? Last, DateTimeOffset? LastAt) Problems(string node);

    ShareScanStatus? LastScan();
}
