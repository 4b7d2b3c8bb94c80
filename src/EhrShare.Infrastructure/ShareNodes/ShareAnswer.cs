using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EhrShare.Sharing;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>How one node's share of one record stands.</summary>
internal enum ShareAnswerState
{
    /// <summary>Parsed and in place; verified once a rebuild accepted it.</summary>
    Good,

    Missing,

    Unreachable,

    Corrupt,
}

/// <summary>
/// One node's answer for one record and one generation: its parsed share, or what was wrong. Never carries raw bytes.
/// A node holding two generations of a record (during a refresh) gives two answers.
/// </summary>
internal sealed class ShareAnswer
{
    private ShareAnswer(ShareNode node, ShareAnswerState state, string? detail, Share? share, uint? generation = null)
    {
        (Node, State, Detail, Share, Generation) = (node, state, detail, share, generation);
    }

    public ShareNode Node { get; }

    /// <summary>The generation of the row this answer came from; null when there was no row (missing, unreachable).</summary>
    public uint? Generation { get; }

    public ShareAnswerState State { get; private set; }

    public string? Detail { get; private set; }

    public Share? Share { get; private set; }

    public static ShareAnswer Unreachable(ShareNode node, string detail) => new(node, ShareAnswerState.Unreachable, detail, null);

    public static ShareAnswer Missing(ShareNode node, string detail) => new(node, ShareAnswerState.Missing, detail, null);

    /// <summary>
    /// Every generation the node returned for the record, each parsed and checked (one Missing answer when it
    /// returned none). Clears the stored bytes.
    /// </summary>
    public static List<ShareAnswer> FromStored(ShareNode node, Guid recordId, IReadOnlyList<StoredShare>? stored) =>
        stored is null || stored.Count == 0
            ? [Missing(node, "no share on the node")]
            : [.. stored.Select(s => FromStored(node, recordId, s.Generation, s.Bytes))];

    /// <summary>
    /// Parses one row the node returned for the record and checks that it is the node's share of that record.
    /// Clears <paramref name="stored"/>.
    /// </summary>
    private static ShareAnswer FromStored(ShareNode node, Guid recordId, uint generation, byte[] stored)
    {

        try
        {
            var share = Share.Parse(stored);
            if (share.RecordId != recordId)
            {
                Clear(share);
                return new ShareAnswer(node, ShareAnswerState.Corrupt, $"the stored share belongs to record {share.RecordId}", null, generation);
            }

            if (share.X != node.X)
            {
                Clear(share);
                return new ShareAnswer(node, ShareAnswerState.Corrupt, $"the stored share has x = {share.X}; this node holds x = {node.X}", null, generation);
            }

            return new ShareAnswer(node, ShareAnswerState.Good, null, share, generation);
        }
        catch (ShareFormatException e)
        {
            return new ShareAnswer(node, ShareAnswerState.Corrupt, e.Message, null, generation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stored);
        }
    }

    /// <summary>Marks a parsed share as wrong (it does not lie on the verified polynomial) and clears it.</summary>
    public void MarkCorrupt(string detail)
    {
        State = ShareAnswerState.Corrupt;
        Detail = detail;
        if (Share is not null)
        {
            Clear(Share);
            Share = null;
        }
    }

    /// <summary>Zeroes a share's payload. Shares made by Parse, Split, Repair and Refresh own their arrays.</summary>
    public static void Clear(Share share)
    {
        if (MemoryMarshal.TryGetArray(share.Payload, out var segment))
        {
            CryptographicOperations.ZeroMemory(segment);
        }
    }

    public static void Clear(IEnumerable<Share> shares)
    {
        foreach (var share in shares)
        {
            Clear(share);
        }
    }

    public static void Clear(IEnumerable<ShareAnswer> answers)
    {
        foreach (var answer in answers)
        {
            if (answer.Share is not null)
            {
                Clear(answer.Share);
            }
        }
    }

    public ShareProblemKind ProblemKind => State switch
    {
        ShareAnswerState.Missing => ShareProblemKind.Missing,
        ShareAnswerState.Unreachable => ShareProblemKind.Unreachable,
        _ => ShareProblemKind.Corrupt,
    };
}

/// <summary>A block rebuilt from k shares of one generation that verified against its hash.</summary>
internal sealed class RebuiltBlock(byte[] secret, IReadOnlyList<Share> used, uint generation)
{
    /// <summary>The generation all of <see cref="Used"/> belong to.</summary>
    public uint Generation { get; } = generation;

    /// <summary>The block. Whoever takes it clears it.</summary>
    public byte[] Secret { get; } = secret;

    /// <summary>The k shares it was rebuilt from (the verified polynomial).</summary>
    public IReadOnlyList<Share> Used { get; } = used;

    /// <summary>Whether <paramref name="share"/> (same record) lies on the verified polynomial with the same parameters.</summary>
    public bool Agrees(Share share)
    {
        var first = Used[0];
        if (share.K != first.K || share.N != first.N || share.Field != first.Field || share.SecretLength != first.SecretLength)
        {
            return false;
        }

        var expected = Shamir.Repair(Used, share.X);
        try
        {
            return CryptographicOperations.FixedTimeEquals(expected.Payload.Span, share.Payload.Span);
        }
        finally
        {
            ShareAnswer.Clear(expected);
        }
    }
}

/// <summary>Rebuilding a block from the shares the nodes returned, when some may be wrong.</summary>
internal static class ShareRebuild
{
    /// <summary>
    /// Tries to rebuild the block from the shares of one generation at a time, newest first, and returns the first
    /// that verifies: shares of different generations are never combined (a generation is another polynomial; a
    /// refresh leaves a record with two for a moment).
    /// </summary>
    public static RebuiltBlock? TryRebuildNewest(IReadOnlyList<ShareAnswer> answers, byte[] expectedHash)
    {
        foreach (var generation in Generations(answers))
        {
            var block = TryRebuild([.. answers.Where(a => a.Generation == generation)], expectedHash, generation);
            if (block is not null)
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>The generations the good answers hold, newest first.</summary>
    public static IEnumerable<uint> Generations(IEnumerable<ShareAnswer> answers) =>
        answers.Where(a => a.State == ShareAnswerState.Good && a.Generation is not null).Select(a => a.Generation!.Value).Distinct().OrderDescending();

    /// <summary>The most good shares any one generation has.</summary>
    public static int MostGoodInOneGeneration(IEnumerable<ShareAnswer> answers) =>
        answers.Where(a => a.State == ShareAnswerState.Good).GroupBy(a => a.Generation).Select(g => g.Count()).DefaultIfEmpty(0).Max();

    /// <summary>
    /// The generation a failed read is told in terms of: the one with the most good shares (the newest of those);
    /// null when no answer holds a good share.
    /// </summary>
    public static uint? BestGeneration(IEnumerable<ShareAnswer> answers) =>
        answers.Where(a => a.State == ShareAnswerState.Good && a.Generation is not null)
            .GroupBy(a => a.Generation!.Value)
            .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key)
            .Select(g => (uint?)g.Key)
            .FirstOrDefault();

    /// <summary>
    /// One answer per node in terms of one generation: the node's share of <paramref name="generation"/>, else
    /// Unreachable, else Missing (saying which other generations the node holds: those are stale or not yet
    /// complete). With no generation (no good share anywhere), the node's first answer.
    /// </summary>
    public static List<ShareAnswer> View(IReadOnlyList<ShareNode> nodes, IReadOnlyList<ShareAnswer> answers, uint? generation)
    {
        var view = new List<ShareAnswer>(nodes.Count);
        foreach (var node in nodes)
        {
            var mine = answers.Where(a => a.Node == node).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            var unreachable = mine.FirstOrDefault(a => a.State == ShareAnswerState.Unreachable);
            var current = generation is null ? mine[0] : mine.FirstOrDefault(a => a.Generation == generation);
            if (unreachable is not null)
            {
                view.Add(unreachable);
            }
            else if (current is not null)
            {
                view.Add(current);
            }
            else
            {
                var held = mine.Where(a => a.Generation is not null).Select(a => a.Generation!.Value).ToList();
                view.Add(held.Count == 0
                    ? mine[0]
                    : ShareAnswer.Missing(node, $"no share of generation {generation}; the node holds generation {string.Join(", ", held)}"));
            }
        }

        return view;
    }

    /// <summary>
    /// Tries to rebuild the block from the good answers (all of one generation): shares that agree on (k, n, field, length) are grouped, the
    /// largest group first, and <see cref="Shamir.TryRecover"/> looks for a k-subset whose SHA-256 is
    /// <paramref name="expectedHash"/>. On success, every answer that does not lie on the verified polynomial is
    /// marked corrupt. Returns null when no subset verifies (nothing is marked then).
    /// </summary>
    private static RebuiltBlock? TryRebuild(IReadOnlyList<ShareAnswer> answers, byte[] expectedHash, uint generation)
    {
        var candidates = answers.Where(a => a.State == ShareAnswerState.Good && a.Share is not null).ToList();
        var groups = candidates
            .GroupBy(a => (a.Share!.K, a.Share.N, a.Share.Field, a.Share.SecretLength))
            .OrderByDescending(g => g.Count())
            .ToList();
        foreach (var group in groups)
        {
            var members = group.ToList();
            if (members.Count < group.Key.K)
            {
                continue;
            }

            var shares = members.Select(a => a.Share!).ToList();
            if (!Shamir.TryRecover(shares, block => Matches(block, expectedHash), out var recovery))
            {
                continue;
            }

            foreach (var bad in recovery.BadShares)
            {
                members.First(a => ReferenceEquals(a.Share, bad))
                    .MarkCorrupt("the share does not agree with the block rebuilt from the other shares");
            }

            foreach (var other in candidates.Except(members))
            {
                other.MarkCorrupt(
                    $"the share's parameters (k = {other.Share!.K}, n = {other.Share.N}, {other.Share.Field}, {other.Share.SecretLength} bytes) differ from those of the shares that rebuild the block");
            }

            return new RebuiltBlock(recovery.Secret, recovery.UsedShares, generation);
        }

        return null;
    }

    /// <summary>The smallest k any good answer claims (or <paramref name="fallback"/> when there is none).</summary>
    public static int SmallestThreshold(IEnumerable<ShareAnswer> answers, int fallback) =>
        answers.Where(a => a.State == ShareAnswerState.Good && a.Share is not null).Select(a => a.Share!.K).DefaultIfEmpty(fallback).Min();

    public static bool Matches(ReadOnlySpan<byte> block, byte[] expectedHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(block, hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }
}
