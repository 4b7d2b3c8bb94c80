namespace EhrShare.Core.Chain.Index;

/// <summary>
/// The chain index's cursor (one row): every event of <see cref="ContractAddress"/> up to block <see cref="Block"/>
/// (whose hash was <see cref="BlockHash"/> when read) is in the index. <see cref="Block"/> is -1 before the first
/// block is read. It is a concurrency token: an indexer writes a range only if the cursor is still where it started,
/// so two indexers, or a rebuild beside a running indexer, never leave a gap or a duplicate.
/// </summary>
public class ChainIndexState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public string ContractAddress { get; set; } = "";

    public long Block { get; set; } = -1;

    public string? BlockHash { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A block the indexer read to, with its hash then: where a reorganisation is looked for, and from which the index is
/// read again (the newest checkpoint still on the canonical chain is the fork point). The newest few are kept.
/// </summary>
public class ChainIndexCheckpoint
{
    public long BlockNumber { get; set; }

    public string BlockHash { get; set; } = "";
}
