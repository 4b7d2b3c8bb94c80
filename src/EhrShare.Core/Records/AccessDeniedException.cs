using EhrShare.Core.Common;

namespace EhrShare.Core.Records;

/// <summary>The contract refused a doctor's read; the attempt is logged on the chain as a denial.</summary>
public sealed class AccessDeniedException(string reason) : ForbiddenException(reason);

/// <summary>A record's block could not be rebuilt from the share nodes (too few good shares); nothing was served.</summary>
public sealed class ShareReconstructionException(string message, IReadOnlyList<string> badNodes, Exception? inner = null)
    : EhrException(message, inner)
{
    /// <summary>The nodes whose shares were missing, unreachable or wrong.</summary>
    public IReadOnlyList<string> BadNodes { get; } = badNodes;
}
