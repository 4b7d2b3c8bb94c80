namespace EhrShare.Core.Records;

/// <summary>
/// What the app database knows of a record: metadata for lists, never the key. The CID is kept only while the
/// record is pending or being rolled back (so a crash cannot orphan the pinned ciphertext); once committed, where
/// the record is and how to open it exist only inside the Shamir shares.
/// </summary>
public class MedicalRecord
{
    public Guid Id { get; set; }

    public string PatientUserId { get; set; } = "";

    /// <summary>Title, notes and file name (<see cref="RecordDescription"/>), encrypted: a dump of the database does not show them.</summary>
    public byte[] ProtectedDescription { get; set; } = [];

    public string ContentType { get; set; } = "";

    /// <summary>The kind of record the patient chose; kept in plain (see docs/decisions/record-categories-in-plain.md).</summary>
    public RecordCategory Category { get; set; } = RecordCategory.Other;

    /// <summary>Plaintext size in bytes.</summary>
    public long Size { get; set; }

    public RecordState State { get; set; } = RecordState.Pending;

    /// <summary>SHA-256 of the block, known once the block is built; the same value is anchored on the chain.</summary>
    public byte[]? BlockHash { get; set; }

    /// <summary>The CID while pending, rolling back or being removed; null otherwise.</summary>
    public string? PendingCid { get; set; }

    /// <summary>An upload in progress holds the record until then; after it the reconciler may take over.</summary>
    public DateTimeOffset LeaseUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CommittedAt { get; set; }

    public DateTimeOffset? RemovedAt { get; set; }

    public string? FailureReason { get; set; }
}

public enum RecordState
{
    /// <summary>Being uploaded: invisible to everyone.</summary>
    Pending = 0,

    /// <summary>Encrypted in IPFS, shares on the nodes, block hash on the chain: readable by whoever is allowed.</summary>
    Committed = 1,

    /// <summary>Failed upload whose finished steps are being undone.</summary>
    RollingBack = 2,

    /// <summary>Removed by the patient: shares destroyed, ciphertext unpinned. Kept for the history only.</summary>
    Removed = 3,

    /// <summary>The patient asked for removal and it has not finished everywhere yet: unreadable already.</summary>
    Removing = 4,
}
