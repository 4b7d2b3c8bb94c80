using System.Security.Cryptography;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Sharing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>A share rewritten by a repair, or (<see cref="ShareProblemKind.Stale"/>) an older generation it deleted.</summary>
public sealed record ShareRepairAction(Guid RecordId, string Node, ShareProblemKind Was, string Detail);

/// <summary>
/// What a repair found (<see cref="Scan"/>, the state before it), what it rewrote and what it could not.
/// <see cref="Repaired"/> lists at most <see cref="ShareSweep.MaxListedProblems"/>; <see cref="RepairedCount"/> is
/// complete. Orphans are never touched.
/// </summary>
public sealed record ShareRepairReport(
    ShareScanReport Scan,
    int RepairedCount,
    IReadOnlyList<ShareRepairAction> Repaired,
    IReadOnlyList<ShareProblem> NotRepaired)
{
    /// <summary>Everything missing or corrupt was rewritten and every node answered.</summary>
    public bool Complete => NotRepaired.Count == 0;
}

/// <summary>
/// Scans like <see cref="ShareScan"/> and, for each committed record with a missing or corrupt share, rebuilds the
/// block from k good shares, recomputes the share at the bad node's x (<see cref="Shamir.Repair(IReadOnlyList{Share}, byte)"/>)
/// and writes it there; the other shares are not touched. Records with fewer than k good shares cannot be repaired.
/// </summary>
public sealed class ShareRepair(
    IEhrDbContext db,
    ShareVault vault,
    TimeProvider clock,
    ILogger<ShareRepair> logger)
{
    public async Task<ShareRepairReport> RunAsync(CancellationToken cancellationToken)
    {
        var repaired = new List<ShareRepairAction>();
        var repairedCount = 0;
        var notRepaired = new List<ShareProblem>();
        var sweep = new ShareSweep(db, vault.Nodes, clock);
        var scan = await sweep.RunAsync(
            async (check, token) =>
            {
                var targets = check.Answers.Where(a => a.State is ShareAnswerState.Missing or ShareAnswerState.Corrupt).ToList();
                if (targets.Count == 0 && check.StaleNodes.Count == 0)
                {
                    return;
                }

                if (check.Block is null)
                {
                    notRepaired.Add(new ShareProblem(ShareProblemKind.Unrecoverable, null, check.RecordId,
                        $"fewer than k good shares are left; {string.Join(", ", targets.Select(t => t.Node.Name))} cannot be repaired"));
                    return;
                }

                targets.RemoveAll(t => t.Node.X > check.Block.Used[0].N);
                if (targets.Count == 0 && check.StaleNodes.Count == 0)
                {
                    return;
                }

                // The record may have been removed since the batch was read: never write shares of a removed record.
                if (!await db.Records.AsNoTracking().AnyAsync(r => r.Id == check.RecordId && r.State == RecordState.Committed, token))
                {
                    return;
                }

                var fresh = targets.ToDictionary(t => t.Node.Index, t => Shamir.Repair(check.Block.Used, t.Node.X));
                var bytes = fresh.ToDictionary(p => p.Key, p => p.Value.ToBytes());
                ShareAnswer.Clear(fresh.Values);
                List<ShareProblem> failed;
                try
                {
                    // Written in the block's generation, so the node's share joins the others of that generation.
                    failed = await vault.WriteAllAsync(check.RecordId, [.. targets.Select(t => t.Node)], check.Block.Generation, i => bytes[i], token);
                }
                finally
                {
                    foreach (var b in bytes.Values)
                    {
                        CryptographicOperations.ZeroMemory(b);
                    }
                }

                foreach (var target in targets.Where(t => failed.All(f => f.Node != t.Node.Name)))
                {
                    repairedCount++;
                    if (repaired.Count < ShareSweep.MaxListedProblems)
                    {
                        repaired.Add(new ShareRepairAction(check.RecordId, target.Node.Name, target.ProblemKind, target.Detail ?? ""));
                    }

                    logger.LogInformation("Repaired the share of record {RecordId} on {Node} (was {Problem})", check.RecordId, target.Node.Name, target.ProblemKind);
                }

                foreach (var failure in failed)
                {
                    vault.Report(failure);
                    notRepaired.Add(failure);
                }

                // Older generations go only from nodes that hold the block's generation now: the shares of the
                // generation read from stay k or more (only a refresh deletes a generation, after writing a newer one).
                foreach (var node in check.StaleNodes.Where(n => failed.All(f => f.Node != n.Name)))
                {
                    try
                    {
                        var deleted = await node.DeleteGenerationsAsync(check.RecordId, 0, check.Block.Generation - 1, token);
                        if (deleted == 0)
                        {
                            continue;
                        }

                        repairedCount++;
                        if (repaired.Count < ShareSweep.MaxListedProblems)
                        {
                            repaired.Add(new ShareRepairAction(check.RecordId, node.Name, ShareProblemKind.Stale,
                                $"{deleted} share(s) older than generation {check.Block.Generation}"));
                        }

                        logger.LogInformation("Deleted {Count} stale share(s) of record {RecordId} on {Node}", deleted, check.RecordId, node.Name);
                    }
                    catch (ShareNodeException e)
                    {
                        var problem = new ShareProblem(ShareProblemKind.Stale, node.Name, check.RecordId, $"the older generation(s) could not be deleted: {e.Message}");
                        vault.Report(problem);
                        notRepaired.Add(problem);
                    }
                }
            },
            cancellationToken);

        notRepaired.InsertRange(0, scan.Nodes.Where(n => !n.Reachable).Select(n =>
            new ShareProblem(ShareProblemKind.Unreachable, n.Node, null, $"{n.Error}; its shares were not checked or repaired")));
        logger.LogInformation("Share repair: {Repaired} share(s) rewritten, {NotRepaired} problem(s) left", repairedCount, notRepaired.Count);
        return new ShareRepairReport(scan, repairedCount, repaired, notRepaired);
    }
}
