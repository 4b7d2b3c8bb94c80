using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EhrShare.Sharing;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>How one node's share of one record stands.</summary>
internal enum ShareState
{
    /// <summary>Parsed and in place; verified once a rebuild accepted it.</summary>
    Good,

    Missing,

    Unreachable,

    Corrupt,
}

/// <summary>One node's answer for one record: its parsed share, or what was wrong. Never carries raw bytes.</summary>
internal sealed class NodeShare
{
    private NodeShare(ShareNode node, ShareState state, string? detail, Share? share)
    {
        (Node, State, Detail, Share) = (node, state, detail, share);
    }

    public ShareNode Node { get; }

    public ShareState State { get; private set; }

    public string? Detail { get; private set; }

    public Share? Share { get; private set; }

    public static NodeShare Unreachable(ShareNode node, string detail) => new(node, ShareState.Unreachable, detail, null);

    /// <summary>
    /// Parses what the node returned for the record (null: no row) and checks that it is the node's share of that
    /// record. Clears <paramref name="stored"/>.
    /// </summary>
    public static NodeShare FromStored(ShareNode node, Guid recordId, byte[]? stored)
    {
        if (stored is null)
        {
            return new NodeShare(node, ShareState.Missing, "no share on the node", null);
        }

        try
        {
            var share = Share.Parse(stored);
            if (share.RecordId != recordId)
            {
                Clear(share);
                return new NodeShare(node, ShareState.Corrupt, $"the stored share belongs to record {share.RecordId}", null);
            }

            if (share.X != node.X)
            {
                Clear(share);
                return new NodeShare(node, ShareState.Corrupt, $"the stored share has x = {share.X}; this node holds x = {node.X}", null);
            }

            return new NodeShare(node, ShareState.Good, null, share);
        }
        catch (ShareFormatException e)
        {
            return new NodeShare(node, ShareState.Corrupt, e.Message, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stored);
        }
    }

    /// <summary>Marks a parsed share as wrong (it does not lie on the verified polynomial) and clears it.</summary>
    public void MarkCorrupt(string detail)
    {
        State = ShareState.Corrupt;
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

    public static void Clear(IEnumerable<NodeShare> answers)
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
        ShareState.Missing => ShareProblemKind.Missing,
        ShareState.Unreachable => ShareProblemKind.Unreachable,
        _ => ShareProblemKind.Corrupt,
    };
}

/// <summary>A block rebuilt from k shares that verified against its hash.</summary>
internal sealed class RebuiltBlock(byte[] secret, IReadOnlyList<Share> used)
{
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
            NodeShare.Clear(expected);
        }
    }
}

/// <summary>Rebuilding a block from the shares the nodes returned, when some may be wrong.</summary>
internal static class ShareRebuild
{
    /// <summary>
    /// Tries to rebuild the block from the good answers: shares that agree on (k, n, field, length) are grouped, the
    /// largest group first, and <see cref="Shamir.TryRecover"/> looks for a k-subset whose SHA-256 is
    /// <paramref name="expectedHash"/>. On success, every answer that does not lie on the verified polynomial is
    /// marked corrupt. Returns null when no subset verifies (nothing is marked then).
    /// </summary>
    public static RebuiltBlock? TryRebuild(IReadOnlyList<NodeShare> answers, byte[] expectedHash)
    {
        var candidates = answers.Where(a => a.State == ShareState.Good && a.Share is not null).ToList();
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

            return new RebuiltBlock(recovery.Secret, recovery.UsedShares);
        }

        return null;
    }

    /// <summary>The smallest k any good answer claims (or <paramref name="fallback"/> when there is none).</summary>
    public static int SmallestThreshold(IEnumerable<NodeShare> answers, int fallback) =>
        answers.Where(a => a.State == ShareState.Good && a.Share is not null).Select(a => a.Share!.K).DefaultIfEmpty(fallback).Min();

    public static bool Matches(ReadOnlySpan<byte> block, byte[] expectedHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(block, hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }
}
