using EhrShare.Core.Data;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>One node in a scan: reachable, how many shares it holds, what was wrong with them.</summary>
public sealed record ShareScanNodeReport(
    string Node,
    byte X,
    bool Reachable,
    string? Error,
    long? ShareCount,
    int Missing,
    int Corrupt,
    int Orphans,
    int Stale = 0);

/// <summary>
/// A scan of every committed record's shares on every node. <see cref="Problems"/> lists at most
/// <see cref="ShareSweep.MaxListedProblems"/>; the per-node counts are complete.
/// </summary>
public sealed record ShareScanReport(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int RecordsChecked,
    int RecordsUnrecoverable,
    IReadOnlyList<ShareScanNodeReport> Nodes,
    IReadOnlyList<ShareProblem> Problems,
    int ProblemsNotListed)
{
    /// <summary>Every node answered, every committed record has a good share on every node, and no orphans.</summary>
    public bool IsClean => Problems.Count == 0 && ProblemsNotListed == 0;
}

/// <summary>
/// One committed record as the scan found it: each node's answer (in terms of the block's generation) and, when k
/// shares of one generation verified, the block; <see cref="StaleNodes"/> still hold shares of older generations.
/// </summary>
internal sealed record RecordCheck(Guid RecordId, IReadOnlyList<ShareAnswer> Answers, RebuiltBlock? Block, IReadOnlyList<ShareNode> StaleNodes);

/// <summary>
/// The scan shared by <see cref="ShareScan"/> and <see cref="ShareRepair"/>: committed records are read from the app
/// database in batches, and each batch's shares are fetched from every node in one query per node, in parallel;
/// then every node's keys are paged through to count its shares and find orphans. A node that fails once is marked
/// unreachable and skipped for the rest of the scan.
/// </summary>
internal sealed class ShareSweep(IEhrDbContext db, IReadOnlyList<ShareNode> nodes, TimeProvider clock)
{
    public const int RecordBatch = 500;
    public const int KeyPage = 1000;
    public const int MaxListedProblems = 1000;

    public async Task<ShareScanReport> RunAsync(Func<RecordCheck, CancellationToken, Task>? onRecord, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var tallies = nodes.Select(n => new Tally(n)).ToArray();
        var problems = new ProblemList();
        int checkedCount = 0, unrecoverable = 0;
        Guid? after = null;
        while (true)
        {
            var query = db.Records.AsNoTracking().Where(r => r.State == RecordState.Committed && r.BlockHash != null);
            if (after is { } last)
            {
                query = query.Where(r => r.Id.CompareTo(last) > 0);
            }

            var batch = await query.OrderBy(r => r.Id).Select(r => new { r.Id, r.BlockHash }).Take(RecordBatch).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            after = batch[^1].Id;
            var ids = batch.Select(r => r.Id).ToList();
            var stored = await Task.WhenAll(tallies.Select(t => ReadBatchAsync(t, ids, problems, cancellationToken)));
            foreach (var record in batch)
            {
                var all = tallies.SelectMany((t, i) => stored[i] is { } shares
                        ? ShareAnswer.FromStored(t.Node, record.Id, shares.GetValueOrDefault(record.Id))
                        : [ShareAnswer.Unreachable(t.Node, t.Error ?? "unreachable")])
                    .ToList();
                var block = ShareRebuild.TryRebuildNewest(all, record.BlockHash!);
                var answers = ShareRebuild.View(nodes, all, block?.Generation ?? ShareRebuild.BestGeneration(all));
                var stale = block is null
                    ? []
                    : all.Where(a => a.Generation < block.Generation).Select(a => a.Node).Distinct().ToList();
                try
                {
                    checkedCount++;
                    Count(record.Id, answers, block, tallies, problems);
                    foreach (var node in stale)
                    {
                        tallies[node.Index].Stale++;
                        problems.Add(new ShareProblem(ShareProblemKind.Stale, node.Name, record.Id,
                            $"share(s) of a generation older than {block!.Generation} (left by a refresh the node missed)"));
                    }

                    if (block is null)
                    {
                        unrecoverable++;
                    }

                    if (onRecord is not null)
                    {
                        await onRecord(new RecordCheck(record.Id, answers, block, stale), cancellationToken);
                    }
                }
                finally
                {
                    ShareAnswer.Clear(all);
                    if (block is not null)
                    {
                        System.Security.Cryptography.CryptographicOperations.ZeroMemory(block.Secret);
                    }
                }
            }
        }

        foreach (var tally in tallies.Where(t => t.Reachable))
        {
            await FindOrphansAsync(tally, problems, cancellationToken);
        }

        return new ShareScanReport(
            started,
            clock.GetUtcNow(),
            checkedCount,
            unrecoverable,
            [.. tallies.Select(t => new ShareScanNodeReport(
                t.Node.Name, t.Node.X, t.Reachable, t.Error, t.Reachable ? t.ShareCount : null, t.Missing, t.Corrupt, t.Orphans, t.Stale))],
            problems.Listed,
            problems.NotListed);
    }

    private static void Count(Guid recordId, List<ShareAnswer> answers, RebuiltBlock? block, Tally[] tallies, ProblemList problems)
    {
        // Nodes beyond the n the block was split into (nodes added later) hold no share of it, rightly.
        var n = block?.Used[0].N ?? answers.Where(a => a.Share is not null).Select(a => a.Share!.N).DefaultIfEmpty(answers.Count).Max();
        foreach (var answer in answers)
        {
            var tally = tallies[answer.Node.Index];
            switch (answer.State)
            {
                case ShareAnswerState.Missing when answer.Node.X <= n:
                    tally.Missing++;
                    problems.Add(new ShareProblem(ShareProblemKind.Missing, answer.Node.Name, recordId, answer.Detail ?? "no share"));
                    break;
                case ShareAnswerState.Corrupt:
                    tally.Corrupt++;
                    problems.Add(new ShareProblem(ShareProblemKind.Corrupt, answer.Node.Name, recordId, answer.Detail ?? "corrupt"));
                    break;
            }
        }

        if (block is null)
        {
            var good = answers.Count(a => a.State == ShareAnswerState.Good);
            var k = ShareRebuild.SmallestThreshold(answers, int.MaxValue);
            problems.Add(new ShareProblem(ShareProblemKind.Unrecoverable, null, recordId,
                good == 0 ? "no readable share is left on any reachable node"
                : good < k ? $"only {good} readable share(s) are left and {k} are needed"
                : $"the {good} readable shares do not rebuild the block with the recorded hash (too many of them are wrong)"));
        }
    }

    private static async Task<Dictionary<Guid, List<StoredShare>>?> ReadBatchAsync(
        Tally tally, IReadOnlyList<Guid> ids, ProblemList problems, CancellationToken cancellationToken)
    {
        if (!tally.Reachable)
        {
            return null;
        }

        try
        {
            return await tally.Node.ReadManyAsync(ids, cancellationToken);
        }
        catch (ShareNodeException e)
        {
            tally.MarkUnreachable(e.Message, problems);
            return null;
        }
    }

    private async Task FindOrphansAsync(Tally tally, ProblemList problems, CancellationToken cancellationToken)
    {
        Guid? after = null;
        while (true)
        {
            List<ShareKey> keys;
            try
            {
                keys = await tally.Node.ListKeysAsync(after, KeyPage, cancellationToken);
            }
            catch (ShareNodeException e)
            {
                tally.MarkUnreachable(e.Message, problems);
                return;
            }

            if (keys.Count == 0)
            {
                return;
            }

            after = keys[^1].RecordId;
            tally.ShareCount += keys.Count;
            var ids = keys.Select(k => k.RecordId).Distinct().ToList();
            // Pending, rolling-back and removing records may hold shares for a while: only unknown and removed ones
            // are orphans. (Rows are deleted from a node before a rolled-back record leaves the app database.)
            var live = (await db.Records.AsNoTracking()
                    .Where(r => ids.Contains(r.Id) && r.State != RecordState.Removed)
                    .Select(r => r.Id)
                    .ToListAsync(cancellationToken))
                .ToHashSet();
            foreach (var key in keys)
            {
                if (!live.Contains(key.RecordId))
                {
                    tally.Orphans++;
                    problems.Add(new ShareProblem(ShareProblemKind.Orphan, tally.Node.Name, key.RecordId,
                        "a share of no live record (unknown to the app database, or removed); left in place for an operator"));
                }
                else if (key.X != tally.Node.X)
                {
                    tally.Orphans++;
                    problems.Add(new ShareProblem(ShareProblemKind.Orphan, tally.Node.Name, key.RecordId,
                        $"a share with x = {key.X} on the node that holds x = {tally.Node.X}; left in place for an operator"));
                }
            }
        }
    }

    private sealed class Tally(ShareNode node)
    {
        public ShareNode Node { get; } = node;

        public bool Reachable { get; private set; } = true;

        public string? Error { get; private set; }

        public long ShareCount { get; set; }

        public int Missing { get; set; }

        public int Corrupt { get; set; }

        public int Orphans { get; set; }

        public int Stale { get; set; }

        public void MarkUnreachable(string error, ProblemList problems)
        {
            if (!Reachable)
            {
                return;
            }

            Reachable = false;
            Error = error;
            problems.Add(new ShareProblem(ShareProblemKind.Unreachable, Node.Name, null, error));
        }
    }

    private sealed class ProblemList
    {
        private readonly List<ShareProblem> _listed = [];

        public IReadOnlyList<ShareProblem> Listed => _listed;

        public int NotListed { get; private set; }

        public void Add(ShareProblem problem)
        {
            // Called from the parallel batch reads too (MarkUnreachable).
            lock (_listed)
            {
                if (_listed.Count < MaxListedProblems)
                {
                    _listed.Add(problem);
                }
                else
                {
                    NotListed++;
                }
            }
        }
    }
}
