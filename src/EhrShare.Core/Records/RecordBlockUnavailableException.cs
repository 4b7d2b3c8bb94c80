using EhrShare.Core.Common;

namespace EhrShare.Core.Records;

/// <summary>A record's block could not be rebuilt from the share nodes (too few good shares); nothing was served.
/// (The sharing library's own <see cref="EhrShare.Sharing.ShareReconstructionException"/> is the maths-level cause.)</summary>
public sealed class RecordBlockUnavailableException(string message, IReadOnlyList<string> badNodes, Exception? inner = null)
    : EhrException(message, inner)
{
    /// <summary>The nodes whose shares were missing, unreachable or wrong.</summary>
    public IReadOnlyList<string> BadNodes { get; } = badNodes;
}
