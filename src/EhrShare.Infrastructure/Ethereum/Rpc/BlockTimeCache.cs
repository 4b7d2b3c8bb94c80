using System.Collections.Concurrent;

namespace EhrShare.Infrastructure.Ethereum.Rpc;

/// <summary>
/// Block times by block hash, for nodes whose logs carry no <c>blockTimestamp</c>: each block is fetched once per
/// process, however often histories that include it are read. Keyed by hash, not number, so a reorganised or reset
/// chain (same numbers, other blocks) never gets a stale time. Bounded: past <see cref="Capacity"/> entries it starts
/// over. A singleton, shared by every reader.
/// </summary>
public sealed class BlockTimeCache
{
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _times = new(StringComparer.OrdinalIgnoreCase);
    private long _fetches;

    /// <summary>How many block times were fetched from the node (for tests and diagnostics).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>The time of the block with this hash (or, when the hash is unknown, this number), or null if the node has no such block.</summary>
    public async ValueTask<DateTimeOffset?> GetAsync(EthRpcClient rpc, string blockHash, ulong blockNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        if (blockHash.Length > 0 && _times.TryGetValue(blockHash, out var cached))
        {
            return cached;
        }

        Interlocked.Increment(ref _fetches);
        var block = blockHash.Length > 0
            ? await rpc.EthGetBlockByHashAsync(blockHash, false, cancellationToken)
            : await rpc.EthGetBlockByNumberAsync(blockNumber, false, cancellationToken);
        if (block is null)
        {
            return null;
        }

        Remember(block.Hash, block.Timestamp);
        return block.Timestamp;
    }

    /// <summary>Records a block's time seen elsewhere (e.g. in a log that carried it).</summary>
    public void Remember(string blockHash, DateTimeOffset time)
    {
        if (blockHash.Length == 0)
        {
            return;
        }

        if (_times.Count >= Capacity)
        {
            _times.Clear();
        }

        _times[blockHash] = time;
    }
}
