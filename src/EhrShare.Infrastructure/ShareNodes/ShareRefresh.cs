using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Sharing;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// The outcome of a record's refresh: <see cref="Generation"/> is on every node that answered
/// (<see cref="SharesWritten"/>); <see cref="RepairedNodes"/> had no share or a bad one of the generation read
/// from; <see cref="SkippedNodes"/> did not answer and keep their old share until a repair gives them the new one;
/// <see cref="NotCleaned"/> took the new share but still hold an old one (the repair deletes it).
/// </summary>
public sealed record ShareRefreshResult(
    Guid RecordId,
    uint Generation,
    int SharesWritten,
    IReadOnlyList<string> RepairedNodes,
    IReadOnlyList<string> SkippedNodes,
    IReadOnlyList<string> NotCleaned);

/// <summary>
/// Re-randomises a record's shares (<see cref="Shamir.Refresh(IReadOnlyList{Share})"/>): the block stays the same,
/// but shares taken before (a leaked backup, a decommissioned disk) no longer combine with the new ones. The new
/// shares are a new generation, written next to the old one on every node that answers; the old generation is
/// deleted only once the new one is on all of them. A read rebuilds from one generation only, so at every moment
/// the record is read wholly from the old shares or wholly from the new, and a crash at any step leaves it readable
/// (docs/decisions/share-generations.md).
/// </summary>
public sealed class ShareRefresh(ShareVault vault, ILogger<ShareRefresh> logger)
{
    /// <summary>Refreshes the record's shares after checking them against <paramref name="expectedBlockHash"/>
    /// (the hash anchored on the chain, or the app database's copy of it).</summary>
    /// <exception cref="Core.Records.RecordBlockUnavailableException">Fewer than k good shares of one generation: nothing was written.</exception>
    /// <exception cref="DependencyUnavailableException">A node that answered did not take its new share: the new
    /// generation was taken back and the record keeps its old shares.</exception>
    public async Task<ShareRefreshResult> RunAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, CancellationToken cancellationToken)
    {
        using var plan = await PlanAsync(recordId, expectedBlockHash, cancellationToken);
        await WriteNewAsync(plan, plan.Nodes, cancellationToken);
        var notCleaned = await DeleteOldAsync(plan, cancellationToken);
        logger.LogInformation(
            "Refreshed the shares of record {RecordId} to generation {Generation} on {Count} node(s); {Skipped} node(s) did not answer",
            recordId, plan.Generation, plan.Nodes.Count, plan.Skipped.Count);
        return new ShareRefreshResult(recordId, plan.Generation, plan.Nodes.Count, plan.Repaired, plan.Skipped, notCleaned);
    }

    /// <summary>
    /// Step 1: rebuilds the block from the newest generation that verifies and computes the next generation's share
    /// for every node that answered. Writes nothing.
    /// </summary>
    internal async Task<RefreshPlan> PlanAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, CancellationToken cancellationToken)
    {
        var read = await vault.ReadAsync(recordId, expectedBlockHash, waitForAll: true, cancellationToken);
        var block = read.Block;
        var fresh = new Dictionary<int, Share>();
        try
        {
            if (read.NewestGeneration == uint.MaxValue)
            {
                throw new InvalidOperationException($"Record {recordId} is at the last share generation and cannot be refreshed again.");
            }

            var used = block.Used;
            var n = used[0].N;
            var nodes = read.Answers.Where(a => a.State != ShareAnswerState.Unreachable && a.Node.X <= n).Select(a => a.Node).ToList();
            var skipped = read.Answers.Where(a => a.State == ShareAnswerState.Unreachable && a.Node.X <= n).Select(a => a.Node.Name).ToList();
            var repaired = read.Answers.Where(a => a.State is ShareAnswerState.Missing or ShareAnswerState.Corrupt && a.Node.X <= n).Select(a => a.Node.Name).ToList();
            var refreshed = Shamir.Refresh(used);
            foreach (var node in nodes)
            {
                var at = Array.FindIndex(refreshed, s => s.X == node.X);
                fresh[node.Index] = at >= 0 ? refreshed[at] : Shamir.Repair(refreshed, node.X);
            }

            ShareAnswer.Clear(refreshed.Where(s => !fresh.ContainsValue(s)));
            // A refresh that failed half way may have left a newer generation than the one read from: go past it,
            // so its leftovers never mix with these shares.
            return new RefreshPlan(recordId, read.NewestGeneration + 1, block.Generation, nodes, skipped, repaired, fresh);
        }
        catch
        {
            ShareAnswer.Clear(fresh.Values);
            throw;
        }
        finally
        {
            ShareAnswer.Clear(read.Answers);
            CryptographicOperations.ZeroMemory(block.Secret);
        }
    }

    /// <summary>
    /// Step 2: writes the new generation to <paramref name="nodes"/>, next to the old one. If a node does not take
    /// its share, the new generation is deleted again where it landed (the record stays wholly old) and the refresh
    /// fails.
    /// </summary>
    internal async Task WriteNewAsync(RefreshPlan plan, IReadOnlyList<ShareNode> nodes, CancellationToken cancellationToken)
    {
        var bytes = nodes.ToDictionary(n => n.Index, n => plan.Shares[n.Index].ToBytes());
        List<ShareProblem> failed;
        try
        {
            failed = await vault.WriteAllAsync(plan.RecordId, nodes, plan.Generation, i => bytes[i], cancellationToken);
        }
        finally
        {
            foreach (var b in bytes.Values)
            {
                CryptographicOperations.ZeroMemory(b);
            }
        }

        if (failed.Count == 0)
        {
            return;
        }

        foreach (var failure in failed)
        {
            vault.Report(failure);
        }

        // A timed-out write may have landed too: take the new generation back from every node written to.
        var notTakenBack = new List<string>();
        foreach (var node in nodes)
        {
            try
            {
                await node.DeleteGenerationsAsync(plan.RecordId, plan.Generation, plan.Generation, CancellationToken.None);
            }
            catch (ShareNodeException e)
            {
                notTakenBack.Add($"{node.Name} ({e.Message})");
            }
        }

        if (notTakenBack.Count > 0)
        {
            // Harmless for reads (fewer than k of that generation, or a full one of the same block); the next
            // refresh of the record writes past it and deletes it.
            logger.LogWarning(
                "Refresh of record {RecordId} failed; generation {Generation} could not be taken back from {Nodes}",
                plan.RecordId, plan.Generation, string.Join(", ", notTakenBack));
        }

        throw new DependencyUnavailableException("share-nodes",
            $"The refresh did not reach {string.Join("; ", failed.Select(f => $"{f.Node} ({f.Detail})"))}; "
            + "the record keeps its old shares. Run the refresh again once the node answers.");
    }

    /// <summary>
    /// Step 3, once the new generation is on every node that answered: deletes the older generations from those
    /// nodes. Returns the nodes where that failed (the scan lists them stale; the repair deletes them).
    /// </summary>
    internal async Task<List<string>> DeleteOldAsync(RefreshPlan plan, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(plan.Nodes.Select(async node =>
        {
            try
            {
                await node.DeleteGenerationsAsync(plan.RecordId, 0, plan.Generation - 1, cancellationToken);
                return null;
            }
            catch (ShareNodeException e)
            {
                vault.Report(new ShareProblem(ShareProblemKind.Stale, node.Name, plan.RecordId, $"the old generation could not be deleted: {e.Message}"));
                return node.Name;
            }
        }));
        return [.. results.OfType<string>()];
    }

    /// <summary>What a refresh of one record will write. Disposing clears the shares.</summary>
    internal sealed class RefreshPlan(
        Guid recordId,
        uint generation,
        uint readFrom,
        IReadOnlyList<ShareNode> nodes,
        IReadOnlyList<string> skipped,
        IReadOnlyList<string> repaired,
        Dictionary<int, Share> shares) : IDisposable
    {
        public Guid RecordId { get; } = recordId;

        /// <summary>The generation being written.</summary>
        public uint Generation { get; } = generation;

        /// <summary>The generation the block was rebuilt from.</summary>
        public uint ReadFrom { get; } = readFrom;

        /// <summary>The nodes that answered: each gets the new generation.</summary>
        public IReadOnlyList<ShareNode> Nodes { get; } = nodes;

        public IReadOnlyList<string> Skipped { get; } = skipped;

        public IReadOnlyList<string> Repaired { get; } = repaired;

        /// <summary>The new share for each node, by node index.</summary>
        public IReadOnlyDictionary<int, Share> Shares => shares;

        public void Dispose() => ShareAnswer.Clear(shares.Values);
    }
}
