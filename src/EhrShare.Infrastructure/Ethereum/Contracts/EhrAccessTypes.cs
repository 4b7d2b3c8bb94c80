using EhrShare.Infrastructure.Ethereum.Crypto;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

/// <summary>Mirrors <c>EhrAccess.Role</c>.</summary>
public enum EhrRole
{
    None = 0,
    Patient = 1,
    Doctor = 2,
}

/// <summary>Mirrors <c>EhrAccess.PermissionStatus</c>.</summary>
public enum PermissionStatus
{
    None = 0,
    Requested = 1,
    Granted = 2,
    Denied = 3,
    Revoked = 4,
}

/// <summary>Mirrors <c>EhrAccess.DenialReason</c>: why a logged access attempt was refused.</summary>
public enum DenialReason
{
    None = 0,
    DoctorSuspended = 1,
    NoPermission = 2,
    PermissionExpired = 3,
    UnknownRecord = 4,

    /// <summary>The record was removed by the block the read was decided on: logged without a penalty.</summary>
    RecordRemoved = 5,

    /// <summary>Allowed only by a grant of chosen records, and the record is not one of them (its proof fails).</summary>
    OutsideGrant = 6,
}

/// <summary>Mirrors <c>EhrAccess.EmergencyRefusal</c>: why a declared emergency was refused.</summary>
public enum EmergencyRefusal
{
    None = 0,

    /// <summary>The doctor already declared the owner's limit of emergencies in the rolling period.</summary>
    TooMany = 1,

    /// <summary>The patient ended this doctor's last emergency and the owner has not reviewed it yet.</summary>
    AwaitingReview = 2,
}

/// <summary>
/// The outcome of <c>declareEmergency</c>: declared (with the window's end) or refused (logged as EmergencyRefused, nothing
/// else changed), in block <see cref="BlockNumber"/>.
/// </summary>
public sealed record EmergencyDeclarationResult(EmergencyRefusal Refusal, DateTimeOffset? Until, byte[]? ReasonCommitment, string TransactionHash, ulong BlockNumber)
{
    public bool Declared => Refusal == EmergencyRefusal.None;
}

/// <summary>The owner's emergency limit: at most <see cref="Limit"/> per doctor in any <see cref="Period"/>.</summary>
public sealed record EmergencyLimit(uint Limit, TimeSpan Period);

/// <summary>Mirrors <c>EhrAccess.SuspensionCause</c>.</summary>
public enum SuspensionCause
{
    Owner = 0,
    Penalty = 1,
}

/// <summary>An account as the contract sees it; AID and PID are set for patients only.</summary>
public sealed record EhrAccount(EthAddress Account, EhrRole Role, bool Suspended, uint Penalties, uint Aid, uint Pid)
{
    public bool IsRegistered => Role != EhrRole.None;
}

/// <summary>A patient's permission for a doctor. Times are null when unset (zero on the chain).</summary>
public sealed record EhrPermission(PermissionStatus Status, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil);

/// <summary>A record on the chain: its block hash, or <see cref="Removed"/>, or neither when unknown.</summary>
public sealed record EhrRecordState(byte[]? BlockHash, bool Removed)
{
    public bool Exists => BlockHash is not null;
}

/// <summary>
/// What <c>accessAt</c> answered: whether the doctor may read, as of block <see cref="DecidedAtBlock"/> at the given
/// time. Logging the read with that time and block records the same decision. As of the same block, the doctor's
/// standing, to word a refusal: <see cref="Suspended"/> as <c>accountOf</c> says it, the permission's
/// <see cref="Status"/> and <see cref="ExpiresAt"/> (a grant's only) as <c>permissionOf</c> does.
/// </summary>
public sealed record AccessDecision(bool Allowed, ulong DecidedAtBlock)
{
    public bool Suspended { get; init; }

    public PermissionStatus Status { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Why the read is refused as of that block (None when allowed), e.g. <see cref="DenialReason.OutsideGrant"/>.</summary>
    public DenialReason Reason { get; init; }
}

/// <summary>
/// The outcome of one attempt logged by <c>logAccess</c>, <c>logAccessBatch</c> or <c>logOwnAccess</c>, read from the
/// transaction's events; <see cref="Patient"/> and <see cref="RecordId"/> say which attempt it is (null: the record list).
/// </summary>
public sealed record AccessLogResult(bool Allowed, DenialReason Reason, uint Penalties, bool DoctorSuspended, string TransactionHash, ulong BlockNumber)
{
    public EthAddress Patient { get; init; }

    public Guid? RecordId { get; init; }
}

/// <summary>
/// One attempt in a <c>logAccessBatch</c>: the patient, the record (null: the record list), when it was made and the block
/// it was decided on (null for either: now, i.e. the block the batch is mined in), and the record's proof under a grant
/// of chosen records (<see cref="RecordSet.ProofFor"/>; empty otherwise).
/// </summary>
public sealed record LoggedAttempt(EthAddress Patient, Guid? RecordId, DateTimeOffset? AttemptedAt, ulong? DecidedAtBlock)
{
    public IReadOnlyList<byte[]> Proof { get; init; } = [];
}

/// <summary>Record ids are Guids in the app and <c>bytes16</c> on the chain, in RFC 4122 (big-endian) byte order.</summary>
public static class RecordIds
{
    public static byte[] ToBytes16(Guid id) => id.ToByteArray(bigEndian: true);

    public static Guid FromBytes16(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 16 ? new Guid(bytes, bigEndian: true) : throw new ArgumentException("A record id is 16 bytes.", nameof(bytes));
}
