namespace EhrShare.Core.Records.Encryption;

/// <summary>Why an encrypted record was rejected.</summary>
public enum RecordIntegrityFailure
{
    /// <summary>The data does not start with a record header (wrong magic or impossible segment size).</summary>
    NotARecord,

    /// <summary>The header names a format version this program cannot read.</summary>
    UnsupportedVersion,

    /// <summary>A segment's tag did not verify: wrong key, or the record was altered or its segments reordered.</summary>
    AuthenticationFailed,

    /// <summary>The record ends before its final segment: it was cut short.</summary>
    Truncated,

    /// <summary>Data follows the final segment: something was appended.</summary>
    TrailingData,

    /// <summary>The decrypted plaintext does not have the SHA-256 or length recorded for it.</summary>
    PlaintextMismatch,
}

/// <summary>
/// An encrypted record failed its integrity checks. No plaintext of the failing segment (or any later one) has
/// been released when this is thrown.
/// </summary>
public sealed class RecordIntegrityException : Exception
{
    public RecordIntegrityException(RecordIntegrityFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    public RecordIntegrityException(RecordIntegrityFailure failure, string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public RecordIntegrityFailure Failure { get; }
}
