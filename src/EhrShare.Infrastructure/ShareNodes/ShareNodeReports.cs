using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>What was wrong with a node or a share.</summary>
public enum ShareProblemKind
{
    /// <summary>The node refused the connection or the statement, or did not answer in time.</summary>
    Unreachable,

    /// <summary>The node has no share of a committed record.</summary>
    Missing,

    /// <summary>The node's share is unreadable (format, checksum), belongs elsewhere, or does not agree with the
    /// block rebuilt from the other shares.</summary>
    Corrupt,

    /// <summary>A committed record has fewer than k good shares left: it cannot be rebuilt or repaired.</summary>
    Unrecoverable,

    /// <summary>A share on a node that belongs to no live record (unknown or removed), or sits at the wrong x.</summary>
    Orphan,

    /// <summary>A node did not take a share it was given (store, repair or refresh).</summary>
    WriteFailed,
}

/// <summary>One problem, by node and record where that applies. Never holds share bytes.</summary>
public sealed record ShareProblem(ShareProblemKind Kind, string? Node, Guid? RecordId, string Detail)
{
    public override string ToString() =>
        string.Join(": ", new[] { Node, RecordId is { } id ? "record " + id : null, Kind.ToString().ToLowerInvariant(), Detail }.OfType<string>());
}

/// <summary>A node's problems seen on the read and write paths since the app started, for the admin monitor.</summary>
public sealed record ShareNodeStatus(
    string Node,
    IReadOnlyDictionary<ShareProblemKind, long> Counts,
    DateTimeOffset? LastProblemAt,
    ShareProblem? LastProblem)
{
    public long Total => Counts.Values.Sum();
}

/// <summary>
/// The share nodes' problems as the read and write paths meet them (counted per node, with the last one), and the
/// last full scan. A singleton the admin monitor reads; thread-safe.
/// </summary>
public sealed class ShareNodeReports
{
    private readonly ConcurrentDictionary<string, NodeEntry> _nodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<string> _configured;
    private volatile ShareScanReport? _lastScan;

    public ShareNodeReports(IOptions<ShareNodeOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _configured = [.. options.Value.Nodes.Select((node, i) => node.DisplayName(i))];
    }

    /// <summary>The last completed scan, or null before the first.</summary>
    public ShareScanReport? LastScan
    {
        get => _lastScan;
        internal set => _lastScan = value;
    }

    /// <summary>Counts a problem against its node (problems without a node are not counted here).</summary>
    public void Report(ShareProblem problem)
    {
        if (problem.Node is null)
        {
            return;
        }

        var entry = _nodes.GetOrAdd(problem.Node, static _ => new NodeEntry());
        lock (entry)
        {
            entry.Counts[problem.Kind] = entry.Counts.GetValueOrDefault(problem.Kind) + 1;
            entry.Last = problem;
            entry.LastAt = _clock.GetUtcNow();
        }
    }

    /// <summary>Every configured node (also those without problems), then any other node that was reported.</summary>
    public IReadOnlyList<ShareNodeStatus> Snapshot()
    {
        var names = _configured.Concat(_nodes.Keys.Where(k => !_configured.Contains(k, StringComparer.OrdinalIgnoreCase)));
        return [.. names.Select(name =>
        {
            if (!_nodes.TryGetValue(name, out var entry))
            {
                return new ShareNodeStatus(name, new Dictionary<ShareProblemKind, long>(), null, null);
            }

            lock (entry)
            {
                return new ShareNodeStatus(name, new Dictionary<ShareProblemKind, long>(entry.Counts), entry.LastAt, entry.Last);
            }
        })];
    }

    /// <summary>One node's status.</summary>
    public ShareNodeStatus For(string node) =>
        Snapshot().FirstOrDefault(s => string.Equals(s.Node, node, StringComparison.OrdinalIgnoreCase))
        ?? new ShareNodeStatus(node, new Dictionary<ShareProblemKind, long>(), null, null);

    private sealed class NodeEntry
    {
        public Dictionary<ShareProblemKind, long> Counts { get; } = [];

        public ShareProblem? Last { get; set; }

        public DateTimeOffset? LastAt { get; set; }
    }
}
