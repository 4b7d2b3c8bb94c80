namespace EhrShare.Sharing;

/// <summary>Why a set of shares cannot be combined, repaired or refreshed.</summary>
public enum ShareSetError
{
    /// <summary>Fewer shares than the threshold k.</summary>
    TooFewShares = 1,

    /// <summary>The shares belong to different records.</summary>
    DifferentRecords,

    /// <summary>The shares disagree on k, n, field or secret length.</summary>
    DifferentParameters,

    /// <summary>Two shares have the same x.</summary>
    DuplicateX,
}

/// <summary>
/// The shares given cannot be used together; <see cref="Error"/> says why. Shares that are consistent but wrong
/// (tampered with) are not detected here: they combine to a different secret, which the caller catches by
/// comparing its hash with the one on the chain.
/// </summary>
public sealed class ShareReconstructionException : SharingException
{
    public ShareReconstructionException(ShareSetError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Why the shares cannot be used together.</summary>
    public ShareSetError Error { get; }
}
