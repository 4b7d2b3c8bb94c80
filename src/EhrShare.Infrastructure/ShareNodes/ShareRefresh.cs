using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Sharing;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>The outcome of a refresh: every node got a new share; <see cref="RepairedNodes"/> had none or a bad one.</summary>
public sealed record ShareRefreshResult(Guid RecordId, int SharesWritten, IReadOnlyList<string> RepairedNodes);

/// <summary>
/// Re-randomises all shares of a record (<see cref="Shamir.Refresh(IReadOnlyList{Share})"/>): the block stays the
/// same, but shares taken before (a leaked backup, a decommissioned disk) no longer combine with the new ones.
/// Every node must answer, since a node left with its old share would keep that share useful to whoever holds
/// other old ones.
/// </summary>
public sealed class ShareRefresh(ShareVault vault, ILogger<ShareRefresh> logger)
{
    /// <summary>Refreshes the record's shares after checking them against <paramref name="expectedBlockHash"/>
    /// (the hash anchored on the chain, or the app database's copy of it).</summary>
    /// <exception cref="Core.Records.RecordBlockUnavailableException">Fewer than k good shares: nothing was written.</exception>
    /// <exception cref="DependencyUnavailableException">A node did not answer or did not take its new share.</exception>
    public async Task<ShareRefreshResult> RunAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, CancellationToken cancellationToken)
    {
        var read = await vault.ReadAsync(recordId, expectedBlockHash, waitForAll: true, cancellationToken);
        var block = read.Block;
        var fresh = new Dictionary<int, Share>();
        var old = new Dictionary<int, Share>();
        try
        {
            var down = read.Answers.Where(a => a.State == ShareState.Unreachable).ToList();
            if (down.Count > 0)
            {
                throw new DependencyUnavailableException("share-nodes",
                    $"A refresh rewrites every node's share, and {string.Join("; ", down.Select(d => $"{d.Node.Name} ({d.Detail})"))} did not answer. Nothing was changed.");
            }

            var used = block.Used;
            var nodes = vault.Nodes.Where(node => node.X <= used[0].N).ToList();
            var refreshed = Shamir.Refresh(used);
            foreach (var node in nodes)
            {
                var at = Array.FindIndex(refreshed, s => s.X == node.X);
                fresh[node.Index] = at >= 0 ? refreshed[at] : Shamir.Repair(refreshed, node.X);
            }

            var failed = await WriteAsync(recordId, nodes, fresh, cancellationToken);
            if (failed.Count == 0)
            {
                var repaired = read.Answers.Where(a => a.State != ShareState.Good).Select(a => a.Node.Name).ToList();
                logger.LogInformation("Refreshed the shares of record {RecordId} on {Count} node(s)", recordId, nodes.Count);
                return new ShareRefreshResult(recordId, nodes.Count, repaired);
            }

            foreach (var failure in failed)
            {
                vault.Report(failure);
            }

            var written = nodes.Where(node => failed.All(f => f.Node != node.Name)).ToList();
            if (written.Count < used[0].K)
            {
                // Neither the new shares nor (possibly) the old ones are k anymore: put the old polynomial back where
                // the new one landed. The block is still in memory, so this loses nothing that was there before.
                foreach (var node in written)
                {
                    old[node.Index] = Shamir.Repair(used, node.X);
                }

                var notRestored = await WriteAsync(recordId, written, old, CancellationToken.None);
                if (notRestored.Count > 0)
                {
                    logger.LogError(
                        "Refresh of record {RecordId} failed half way and the old shares could not be put back on {Nodes}; run 'shares scan'",
                        recordId, string.Join(", ", notRestored.Select(f => f.Node)));
                }
            }

            throw new DependencyUnavailableException("share-nodes",
                $"The refresh did not reach {string.Join("; ", failed.Select(f => $"{f.Node} ({f.Detail})"))}; "
                + "that node may still hold its old share. Run the refresh again once it answers.");
        }
        finally
        {
            NodeShare.Clear(fresh.Values);
            NodeShare.Clear(old.Values);
            NodeShare.Clear(read.Answers);
            CryptographicOperations.ZeroMemory(block.Secret);
        }
    }

    private async Task<List<ShareProblem>> WriteAsync(Guid recordId, IReadOnlyList<ShareNode> nodes, Dictionary<int, Share> shares, CancellationToken cancellationToken)
    {
        var bytes = shares.ToDictionary(p => p.Key, p => p.Value.ToBytes());
        try
        {
            return await vault.WriteAllAsync(recordId, nodes, i => bytes[i], cancellationToken);
        }
        finally
        {
            foreach (var b in bytes.Values)
            {
                CryptographicOperations.ZeroMemory(b);
            }
        }
    }
}
