using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Sharing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// The share nodes behind <see cref="IShareVault"/>: a block is split with Shamir's scheme (n = the configured
/// nodes, k = ShareNodes:Threshold), node i gets the share with x = i + 1; reads query every node at once and
/// return as soon as k shares rebuild a block whose SHA-256 is the expected hash. Problems are logged (node and
/// record, never bytes) and reported to the <see cref="IShareProblemSink"/> (the app's <see cref="ShareNodeReports"/>). A singleton: it holds no per-call state.
/// </summary>
public sealed class ShareVault : IShareVault
{
    private const string Dependency = "share-nodes";
    private readonly IReadOnlyList<ShareNode> _nodes;
    private readonly int _threshold;
    private readonly ShareField _field;
    private readonly IShareProblemSink _reports;
    private readonly ILogger<ShareVault> _logger;

    public ShareVault(IOptions<ShareNodeOptions> options, IShareProblemSink reports, ILogger<ShareVault> logger)
    {
        var value = options.Value;
        _nodes = ShareNode.FromOptions(value);
        _threshold = value.Threshold;
        _field = value.GetShareField();
        _reports = reports;
        _logger = logger;
    }

    /// <summary>How many nodes must take their share for a store to succeed: all of them when k = n (the paper's
    /// strict mode), else k + 1 (or n when that is less), so one later loss still leaves k.</summary>
    internal int RequiredWrites => _threshold == _nodes.Count ? _nodes.Count : Math.Min(_nodes.Count, _threshold + 1);

    internal IReadOnlyList<ShareNode> Nodes => _nodes;

    /// <summary>The generation a new record's shares get; each refresh writes the next one.</summary>
    internal const uint FirstGeneration = 0;

    public async Task StoreAsync(Guid recordId, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        var shares = Shamir.Split(recordId, block.Span, _nodes.Count, _threshold, _field);
        var serialized = new byte[shares.Length][];
        for (var i = 0; i < shares.Length; i++)
        {
            serialized[i] = shares[i].ToBytes();
        }

        ShareAnswer.Clear(shares);
        List<ShareProblem> failed;
        try
        {
            failed = await WriteAllAsync(recordId, _nodes, FirstGeneration, i => serialized[i], cancellationToken);
        }
        finally
        {
            foreach (var bytes in serialized)
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }

        var written = _nodes.Count - failed.Count;
        if (written >= RequiredWrites)
        {
            foreach (var problem in failed)
            {
                Report(problem);
            }

            return;
        }

        // Too few: take back what did land (a timed-out write may have landed too), so no partial set stays behind.
        var undo = await Task.WhenAll(_nodes.Select(async node =>
        {
            try
            {
                await node.DeleteAsync(recordId, CancellationToken.None);
                return null;
            }
            catch (ShareNodeException e)
            {
                return $"{node.Name} ({e.Message})";
            }
        }));
        var leftovers = undo.OfType<string>().ToList();
        if (leftovers.Count > 0)
        {
            _logger.LogWarning(
                "Store of record {RecordId} failed; its shares could not be deleted from {Nodes}: the share scan will list them as orphans",
                recordId, string.Join(", ", leftovers));
        }

        throw new DependencyUnavailableException(
            Dependency,
            $"Too few share nodes took the record's share ({written} of {_nodes.Count}; {RequiredWrites} needed): "
            + string.Join("; ", failed.Select(f => $"{f.Node}: {f.Detail}")) + ". Nothing was kept; please try again shortly.");
    }

    public async Task<byte[]> RebuildAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, CancellationToken cancellationToken)
    {
        var outcome = await ReadAsync(recordId, expectedBlockHash, waitForAll: false, cancellationToken);
        return outcome.Block.Secret;
    }

    public async Task DestroyAsync(Guid recordId, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_nodes.Select(async node =>
        {
            try
            {
                await node.DeleteAsync(recordId, cancellationToken);
                return null;
            }
            catch (ShareNodeException e)
            {
                return new ShareProblem(ShareProblemKind.Unreachable, node.Name, recordId, e.Message);
            }
        }));
        var failed = results.OfType<ShareProblem>().ToList();
        if (failed.Count == 0)
        {
            return;
        }

        foreach (var problem in failed)
        {
            Report(problem);
        }

        throw new DependencyUnavailableException(
            Dependency,
            $"The record's shares could not be deleted from {string.Join("; ", failed.Select(f => $"{f.Node} ({f.Detail})"))}; "
            + "they were deleted from the other nodes. Try again to finish.");
    }

    /// <summary>
    /// Reads the record's share from every node in parallel (each bounded by the node timeout) and rebuilds the
    /// block from the first k that verify. With <paramref name="waitForAll"/> false it returns at once and checks
    /// the late answers in the background (reporting bad ones); with true it waits for every node and the outcome
    /// lists all of them. Throws <see cref="RecordBlockUnavailableException"/> when no k shares verify, or
    /// <see cref="DependencyUnavailableException"/> when nodes that did not answer could have made up the difference.
    /// </summary>
    internal async Task<ReadOutcome> ReadAsync(Guid recordId, ReadOnlyMemory<byte> expectedBlockHash, bool waitForAll, CancellationToken cancellationToken)
    {
        if (expectedBlockHash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The expected block hash is a 32-byte SHA-256.", nameof(expectedBlockHash));
        }

        var expected = expectedBlockHash.ToArray();
        var pending = _nodes.Select(node => FetchAsync(node, recordId, cancellationToken)).ToList();
        var answers = new List<ShareAnswer>(_nodes.Count);
        RebuiltBlock? block = null;
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                var got = await done;
                answers.AddRange(got);
                var k = ShareRebuild.SmallestThreshold(answers, _threshold);
                if (block is null && got.Any(a => a.State == ShareAnswerState.Good) && ShareRebuild.MostGoodInOneGeneration(answers) >= k)
                {
                    block = ShareRebuild.TryRebuildNewest(answers, expected);
                }

                if (block is not null && !waitForAll)
                {
                    break;
                }

                // Stop early when even every node still out could not make up k good shares of one generation.
                if (block is null && ShareRebuild.MostGoodInOneGeneration(answers) + pending.Count < k)
                {
                    break;
                }
            }
        }
        catch
        {
            ShareAnswer.Clear(answers);
            Observe(pending);
            throw;
        }

        var view = ShareRebuild.View(_nodes, answers, block?.Generation ?? ShareRebuild.BestGeneration(answers));
        ReportProblems(recordId, view);
        if (block is null)
        {
            ShareAnswer.Clear(answers);
            Observe(pending);
            throw Failure(recordId, view, pending.Count);
        }

        var newest = answers.Where(a => a.Generation is not null).Max(a => a.Generation!.Value);
        if (pending.Count > 0)
        {
            // The block goes back now; the nodes still out are checked against it when they answer.
            _ = CheckLateAnswersAsync(recordId, pending, answers, block);
        }
        else if (!waitForAll)
        {
            ShareAnswer.Clear(answers);
        }
        else
        {
            // The caller clears the view; the other generations' shares are not handed out.
            ShareAnswer.Clear(answers.Where(a => !view.Contains(a)));
        }

        return new ReadOutcome(block, view, newest);
    }

    /// <summary>Writes one share per node in parallel; returns the nodes that did not take theirs.</summary>
    internal async Task<List<ShareProblem>> WriteAllAsync(
        Guid recordId, IReadOnlyList<ShareNode> nodes, uint generation, Func<int, byte[]> shareFor, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(nodes.Select(async node =>
        {
            try
            {
                await node.WriteAsync(recordId, generation, shareFor(node.Index), cancellationToken);
                return null;
            }
            catch (ShareNodeException e)
            {
                return new ShareProblem(ShareProblemKind.WriteFailed, node.Name, recordId, e.Message);
            }
        }));
        return results.OfType<ShareProblem>().ToList();
    }

    internal void Report(ShareProblem problem)
    {
        _logger.LogWarning(
            "Share node {Node}: {Problem} for record {RecordId}: {Detail}", problem.Node, problem.Kind, problem.RecordId, problem.Detail);
        _reports.Report(problem);
    }

    private static async Task<List<ShareAnswer>> FetchAsync(ShareNode node, Guid recordId, CancellationToken cancellationToken)
    {
        try
        {
            return ShareAnswer.FromStored(node, recordId, await node.ReadAsync(recordId, cancellationToken));
        }
        catch (ShareNodeException e)
        {
            return [ShareAnswer.Unreachable(node, e.Message)];
        }
    }

    private static void Observe(IEnumerable<Task<List<ShareAnswer>>> pending)
    {
        foreach (var task in pending)
        {
            _ = task.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        ShareAnswer.Clear(t.Result);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task CheckLateAnswersAsync(Guid recordId, List<Task<List<ShareAnswer>>> pending, List<ShareAnswer> early, RebuiltBlock block)
    {
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (!done.IsCompletedSuccessfully)
                {
                    continue; // the caller cancelled: that says nothing about the node
                }

                var got = done.Result;
                try
                {
                    var answer = ShareRebuild.View(_nodes, got, block.Generation).Single();
                    if (answer.Share is { } share && !block.Agrees(share))
                    {
                        answer.MarkCorrupt("the share does not agree with the block rebuilt from the other shares");
                    }

                    ReportProblems(recordId, [answer]);
                }
                finally
                {
                    ShareAnswer.Clear(got);
                }
            }
        }
        catch (Exception e) when (e is ShareFormatException or ShareReconstructionException)
        {
            _logger.LogWarning("Checking the late share answers for record {RecordId} failed: {Error}", recordId, e.Message);
        }
        finally
        {
            ShareAnswer.Clear(early);
        }
    }

    private void ReportProblems(Guid recordId, IEnumerable<ShareAnswer> answers)
    {
        foreach (var answer in answers.Where(a => a.State != ShareAnswerState.Good))
        {
            Report(new ShareProblem(answer.ProblemKind, answer.Node.Name, recordId, answer.Detail ?? answer.State.ToString()));
        }
    }

    /// <summary>
    /// Why no block came back. When nodes that did not answer could have made up k good shares, it is an outage
    /// (<see cref="DependencyUnavailableException"/>: try again; use cases treat it as "nothing changed"); otherwise
    /// the shares are gone or wrong (<see cref="RecordBlockUnavailableException"/>: the record cannot be read).
    /// </summary>
    private Exception Failure(Guid recordId, List<ShareAnswer> answers, int notWaitedFor)
    {
        var good = answers.Where(a => a.State == ShareAnswerState.Good).ToList();
        var bad = answers.Where(a => a.State != ShareAnswerState.Good).ToList();
        var down = answers.Where(a => a.State == ShareAnswerState.Unreachable).ToList();
        var k = ShareRebuild.SmallestThreshold(answers, _threshold);
        // Nodes not waited for count as "could have answered": the verdict "lost" must be certain.
        if (down.Count > 0 && good.Count + down.Count + notWaitedFor >= k)
        {
            _logger.LogWarning("Record {RecordId} could not be rebuilt now: {Nodes} did not answer", recordId, string.Join(", ", down.Select(d => d.Node.Name)));
            return new DependencyUnavailableException(
                Dependency,
                $"The record's key could not be rebuilt right now: {string.Join("; ", down.Select(d => $"{d.Node.Name} ({d.Detail})"))} did not answer, "
                + $"and {k} good shares are needed ({good.Count} were read). Nothing was changed; please try again shortly.");
        }

        string why;
        List<string> badNodes;
        if (good.Count >= k)
        {
            // Enough readable shares, but no k of them give the anchored block: at least one of them is wrong, and
            // without a spare share it cannot be told which (always so when k = n).
            why = $"the shares of {string.Join(", ", good.Select(g => g.Node.Name))} do not rebuild the block anchored on the chain "
                  + "(at least one of them is wrong; without a spare good share it cannot be told which)";
            badNodes = [.. bad.Select(b => b.Node.Name), .. good.Select(g => g.Node.Name)];
        }
        else
        {
            why = $"{bad.Count} of the {_nodes.Count} nodes failed and {k} good shares are needed";
            badNodes = [.. bad.Select(b => b.Node.Name)];
        }

        var details = string.Join("; ", bad.Select(b => $"{b.Node.Name}: {b.State.ToString().ToLowerInvariant()} ({b.Detail})"));
        if (notWaitedFor > 0)
        {
            details += $" ({notWaitedFor} node(s) still out were not waited for: they could not have made up k)";
        }

        _logger.LogWarning("Record {RecordId} could not be rebuilt: {Reason}; {Details}", recordId, why, details);
        return new RecordBlockUnavailableException(
            $"The record's key could not be rebuilt from the share nodes: {why}" + (details.Length > 0 ? $". {details}." : "."),
            [.. badNodes.Distinct()]);
    }

    /// <summary>
    /// A verified block, every node's answer that came in before the read returned (in terms of the block's
    /// generation), and the newest generation any of them holds (a leftover of a refresh that did not finish may be
    /// newer than the block's).
    /// </summary>
    internal sealed record ReadOutcome(RebuiltBlock Block, IReadOnlyList<ShareAnswer> Answers, uint NewestGeneration);
}
