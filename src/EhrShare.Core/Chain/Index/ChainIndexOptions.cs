using System.ComponentModel.DataAnnotations;

namespace EhrShare.Core.Chain.Index;

/// <summary>The chain index (section <c>ChainIndex</c>): how the background indexer reads the contract's events.</summary>
public sealed class ChainIndexOptions
{
    public const string Section = "ChainIndex";

    /// <summary>Run the background indexer in this instance (env <c>ChainIndex__Enabled</c>; default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the indexer looks for new blocks once caught up (env <c>ChainIndex__PollInterval</c>; default 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "ChainIndex:PollInterval must be 50 ms to 1 hour.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Blocks per <c>eth_getLogs</c> call (env <c>ChainIndex__BlockRange</c>; default 2000): nodes cap ranges and results.</summary>
    [Range(1, 1_000_000, ErrorMessage = "ChainIndex:BlockRange must be 1 to 1,000,000.")]
    public int BlockRange { get; set; } = 2000;

    /// <summary>
    /// Blocks the index stays behind the head (env <c>ChainIndex__Confirmations</c>; default 0, right for anvil and for
    /// QBFT/IBFT networks, whose blocks are final): on a chain that reorganises, a few blocks' worth.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "ChainIndex:Confirmations must be 0 to 10,000.")]
    public int Confirmations { get; set; }

    /// <summary>
    /// A page adds the events after the index's cursor read live from the chain when there are at most this many blocks
    /// (env <c>ChainIndex__MaxTailBlocks</c>; default 1000); further behind, it shows the index alone and says so.
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "ChainIndex:MaxTailBlocks must be 0 to 1,000,000.")]
    public int MaxTailBlocks { get; set; } = 1000;

    /// <summary>Checkpoints (block number and hash) kept to find a fork point (env <c>ChainIndex__CheckpointsKept</c>; default 128).</summary>
    [Range(2, 100_000, ErrorMessage = "ChainIndex:CheckpointsKept must be 2 to 100,000.")]
    public int CheckpointsKept { get; set; } = 128;
}
