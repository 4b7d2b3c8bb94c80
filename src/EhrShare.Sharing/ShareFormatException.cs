namespace EhrShare.Sharing;

/// <summary>What is wrong with a serialised share.</summary>
public enum ShareFormatError
{
    /// <summary>Shorter than its header says it is.</summary>
    Truncated = 1,

    /// <summary>Longer than its header says it is.</summary>
    TrailingBytes,

    /// <summary>Does not start with the magic bytes "EHSS".</summary>
    BadMagic,

    /// <summary>A format version this library does not read.</summary>
    UnsupportedVersion,

    /// <summary>A field byte that names no <see cref="ShareField"/>.</summary>
    UnknownField,

    /// <summary>The checksum does not match: the stored share was corrupted.</summary>
    ChecksumMismatch,

    /// <summary>The checksum matches but a header value is out of range (x = 0, k &lt; 2, k &gt; n, ...).</summary>
    InvalidHeader,

    /// <summary>The checksum matches but a prime-field element is p or above: not the one encoding of its value.</summary>
    NonCanonicalElement,
}

/// <summary>A serialised share could not be read; <see cref="Error"/> says why.</summary>
public sealed class ShareFormatException : SharingException
{
    public ShareFormatException(ShareFormatError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>What is wrong with the share.</summary>
    public ShareFormatError Error { get; }
}
