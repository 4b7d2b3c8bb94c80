namespace EhrShare.Core.Monitoring;

/// <summary>What the admin's monitor shows: the paper's "web interface for monitoring", taken in one go.</summary>
public interface ISystemMonitor
{
    Task<MonitorSnapshot> SnapshotAsync(CancellationToken cancellationToken);
}

public sealed record MonitorSnapshot(
    DateTimeOffset TakenAt,
    ChainStatus Chain,
    IReadOnlyList<ShareNodeStatus> Nodes,
    ShareScanStatus? LastScan,
    IpfsStatus Ipfs,
    OutboxStatus Outbox,
    RecordCounts Records,
    IReadOnlyList<LatencySummary> Latencies);

public sealed record ChainStatus(
    bool Reachable,
    string? Error,
    long ChainId,
    ulong? LatestBlock,
    string? ContractAddress,
    IReadOnlyList<BlockView> Blocks,
    IReadOnlyList<EventView> Events,
    IReadOnlyList<EventView> Alerts)
{
    /// <summary>The block the event lists are as of (the chain index and the blocks after it).</summary>
    public ulong? EventsAsOfBlock { get; init; }
}

public sealed record BlockView(ulong Number, DateTimeOffset Time, ulong GasUsed, IReadOnlyList<TransactionView> Transactions);

public sealed record TransactionView(string Hash, string From, string Function, ulong? GasUsed, bool? Succeeded);

/// <summary>A decoded contract event; accounts are shown with the user's name when the app knows it.</summary>
public sealed record EventView(ulong Block, DateTimeOffset? Time, string Name, string? Patient, string? Doctor, Guid? RecordId, string? Detail, bool Alert);

public sealed record ShareNodeStatus(string Name, bool Up, string? Description, long? ShareCount, long Problems, string? LastProblem, DateTimeOffset? LastProblemAt);

public sealed record ShareScanStatus(DateTimeOffset FinishedAt, bool Clean, int ProblemCount, string Summary);

public sealed record IpfsStatus(bool Reachable, string? Error, string? Version, string? PeerId, long? RepoSize, long? Objects);

public sealed record OutboxStatus(int Pending, int Sent, DateTimeOffset? OldestPending, string? LastError)
{
    /// <summary>How the latest logged reads were batched into transactions; null before any was logged.</summary>
    public OutboxBatchSizes? Batches { get; init; }
}

/// <summary>
/// The latest <see cref="Entries"/> logged reads went out in <see cref="Transactions"/> transactions: entries per
/// transaction on average, at most, and in the newest one.
/// </summary>
public sealed record OutboxBatchSizes(int Entries, int Transactions, double Mean, int Largest, int Latest);

public sealed record RecordCounts(int Committed, int Pending, int Removed);

/// <summary>The admin's share-node maintenance from the monitor: a scan, and a repair of what it finds.</summary>
public interface IShareMaintenance
{
    /// <summary>Scans every committed record's shares; returns a one-line summary.</summary>
    Task<string> ScanAsync(CancellationToken cancellationToken);

    /// <summary>Scans and rewrites missing or corrupt shares; returns a one-line summary.</summary>
    Task<string> RepairAsync(CancellationToken cancellationToken);
}
