using EhrShare.Core.Users;

namespace EhrShare.Core.Chain;

/// <summary>
/// The access-control contract as the use cases see it. Accounts are given as EIP-55 addresses (<c>0x…</c>); a
/// transaction's sender is a <see cref="ChainAccount"/>, whose protected key the implementation unprotects only to
/// sign. Owner (EHR manager) transactions are signed with the configured manager key. Every transaction method
/// returns once the transaction is mined; a revert surfaces as <see cref="LedgerRejectedException"/>, an unreachable
/// chain as <see cref="Common.DependencyUnavailableException"/>.
/// </summary>
public interface IAccessLedger
{
    // --- the owner (EHR manager) ---

    /// <summary>Sends the configured amount of ether to a new account so it can pay for its transactions.</summary>
    Task FundAsync(string account, CancellationToken cancellationToken);

    Task RegisterPatientAsync(string account, PatientAddress address, CancellationToken cancellationToken);

    Task RegisterDoctorAsync(string account, CancellationToken cancellationToken);

    Task SuspendAsync(string account, CancellationToken cancellationToken);

    Task ReinstateAsync(string account, CancellationToken cancellationToken);

    Task LiftPenaltyAsync(string doctor, CancellationToken cancellationToken);

    Task PenalizeAsync(string doctor, CancellationToken cancellationToken);

    /// <summary>
    /// The manager's verdict on the doctor's emergency on the patient declared in block <paramref name="declaredBlock"/>:
    /// abusive adds a penalty on the chain (suspending the doctor at the threshold); either way it lifts the hold the
    /// contract puts on the doctor's next emergency on this patient after the patient ended this one.
    /// </summary>
    Task ReviewEmergencyAsync(string patient, string doctor, ulong declaredBlock, bool abusive, CancellationToken cancellationToken);

    // --- patients ---

    Task AddRecordAsync(ChainAccount patient, Guid recordId, byte[] blockHash, CancellationToken cancellationToken);

    /// <summary>
    /// <c>addRecord</c>, its gas estimated (a revert surfaces there, before anything is sent) while <paramref name="ready"/>
    /// runs; sent only once <paramref name="ready"/> succeeded, whose failure is thrown as it is (nothing sent).
    /// </summary>
    Task AddRecordAsync(ChainAccount patient, Guid recordId, byte[] blockHash, Task ready, CancellationToken cancellationToken);

    Task RemoveRecordAsync(ChainAccount patient, Guid recordId, CancellationToken cancellationToken);

    /// <summary>A grant of every record (<c>grantAccess</c>); returns the block it was mined in.</summary>
    Task<ulong> GrantAccessAsync(ChainAccount patient, string doctor, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// A grant of the chosen <paramref name="records"/> only (<c>grantRecords</c>, the Merkle root of their ids); over a
    /// grant in force it extends the grant and replaces its set from the block it is mined in, which it returns.
    /// </summary>
    Task<ulong> GrantRecordsAsync(ChainAccount patient, string doctor, DateTimeOffset expiresAt, IReadOnlyCollection<Guid> records, CancellationToken cancellationToken);

    Task DenyAccessAsync(ChainAccount patient, string doctor, CancellationToken cancellationToken);

    Task RevokeAccessAsync(ChainAccount patient, string doctor, CancellationToken cancellationToken);

    // --- doctors ---

    Task RequestAccessAsync(ChainAccount doctor, string patient, CancellationToken cancellationToken);

    /// <summary>
    /// Break-glass access with <paramref name="reasonCommitment"/> (<see cref="CommitToReason"/>) on the chain. The
    /// contract may refuse it (its limits), without reverting: the refusal is logged on the chain and returned.
    /// </summary>
    Task<LedgerEmergency> DeclareEmergencyAsync(ChainAccount doctor, string patient, byte[] reasonCommitment, CancellationToken cancellationToken);

    /// <summary>The commitment the chain holds for an emergency's reason: keccak256(salt ‖ UTF-8 text), salt 32 random bytes.</summary>
    byte[] CommitToReason(ReadOnlySpan<byte> salt, string reason);

    // --- views (latest state, no transaction) ---

    Task<bool> HasAccessAsync(string patient, string doctor, CancellationToken cancellationToken);

    /// <summary>
    /// The decision to act on for a doctor's read made at <paramref name="attemptedAt"/>: as of the latest block, with
    /// expiries judged at that time. Logging the read with that time and <see cref="LedgerAccessDecision.DecidedAtBlock"/>
    /// makes the chain record the same decision, whatever is mined in between (a revocation, an expiry, a suspension).
    /// <paramref name="recordId"/> is the record read (null: the record list, open under any grant); <paramref name="proof"/>
    /// its proof under the grant's chosen records (<see cref="RecordProof"/>), logged with the read.
    /// </summary>
    Task<LedgerAccessDecision> DecideAccessAsync(string patient, string doctor, Guid? recordId, byte[] proof, DateTimeOffset attemptedAt, CancellationToken cancellationToken);

    /// <summary>
    /// The proof that places <paramref name="recordId"/> under the Merkle root of <paramref name="sharedRecords"/> (a
    /// grant's chosen records; null: every record), its 32-byte hashes end to end; empty when no proof is needed (every
    /// record, the record list) or none exists (a record outside the set: the contract refuses it as OutsideGrant).
    /// </summary>
    byte[] RecordProof(Guid? recordId, IReadOnlySet<Guid>? sharedRecords);

    /// <summary>The latest block's number: the state a read of the patient's own record was served on.</summary>
    Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken);

    /// <summary>The account registered for a patient address, or null.</summary>
    Task<string?> FindPatientAsync(PatientAddress address, CancellationToken cancellationToken);

    Task<LedgerAccount> GetAccountAsync(string account, CancellationToken cancellationToken);

    /// <summary>Refused attempts (penalties) at which the contract suspends a doctor.</summary>
    Task<uint> GetPenaltyThresholdAsync(CancellationToken cancellationToken);

    /// <summary>Why the account's last suspension happened, from its last <c>AccountSuspended</c> event; null if never suspended.</summary>
    Task<LedgerSuspensionCause?> GetSuspensionCauseAsync(string account, CancellationToken cancellationToken);

    Task<LedgerPermission> GetPermissionAsync(string patient, string doctor, CancellationToken cancellationToken);

    /// <summary>How many emergencies the doctor declared in the contract's rolling period, its limit and the period.</summary>
    Task<LedgerEmergencyAllowance> GetEmergencyAllowanceAsync(string doctor, CancellationToken cancellationToken);

    /// <summary>The block hash anchored for a record, or null when the chain has none (unknown or removed).</summary>
    Task<byte[]?> GetRecordHashAsync(string patient, Guid recordId, CancellationToken cancellationToken);

    /// <summary>Decoded contract events, oldest first.</summary>
    Task<IReadOnlyList<LedgerEvent>> GetEventsAsync(LedgerEventQuery query, CancellationToken cancellationToken);
}

public enum LedgerRole
{
    None = 0,
    Patient = 1,
    Doctor = 2,
}

/// <summary>
/// Whether a doctor may read, as of block <see cref="DecidedAtBlock"/> at the time asked about; with the doctor's
/// standing as of the same block, to word a refusal: <see cref="Suspended"/> as <see cref="LedgerAccount.Suspended"/>,
/// <see cref="Permission"/> and <see cref="ExpiresAt"/> as <see cref="LedgerPermission"/> has them.
/// </summary>
public sealed record LedgerAccessDecision(bool Allowed, ulong DecidedAtBlock)
{
    public bool Suspended { get; init; }

    public LedgerPermissionStatus Permission { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Refused because the grant covers chosen records and the record is not among them (a penalty, like any refusal).</summary>
    public bool OutsideGrant { get; init; }
}

/// <summary>Why the contract refused an emergency (None: declared).</summary>
public enum LedgerEmergencyRefusal
{
    None = 0,
    TooMany = 1,
    AwaitingReview = 2,
}

/// <summary>A declared (<see cref="Until"/> set) or refused emergency, mined in block <see cref="BlockNumber"/>.</summary>
public sealed record LedgerEmergency(LedgerEmergencyRefusal Refusal, DateTimeOffset? Until, ulong BlockNumber, string TransactionHash)
{
    public bool Declared => Refusal == LedgerEmergencyRefusal.None;
}

/// <summary>At most <see cref="Limit"/> emergencies per doctor in any <see cref="Period"/>; <see cref="Used"/> in the current one.</summary>
public sealed record LedgerEmergencyAllowance(uint Used, uint Limit, TimeSpan Period);

/// <summary>Mirrors the contract's <c>SuspensionCause</c>: the EHR manager's action, or the penalty threshold reached.</summary>
public enum LedgerSuspensionCause
{
    Manager = 0,
    RepeatedRefusals = 1,
}

public sealed record LedgerAccount(LedgerRole Role, bool Suspended, uint Penalties, PatientAddress? Address);

public enum LedgerPermissionStatus
{
    None = 0,
    Requested = 1,
    Granted = 2,
    Denied = 3,
    Revoked = 4,
}

/// <summary>A doctor's standing with a patient. <see cref="ExpiresAt"/> applies to a grant.</summary>
public sealed record LedgerPermission(
    LedgerPermissionStatus Status,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RequestedAt,
    DateTimeOffset? EmergencyUntil);

public sealed record LedgerEventQuery
{
    public string? Patient { get; init; }

    public string? Doctor { get; init; }

    public ulong FromBlock { get; init; }
}

/// <summary>
/// One contract event. <see cref="Name"/> is the Solidity event name (AccessGranted, AccessDenied, EmergencyAccess,
/// EmergencyRefused, EmergencyReviewed, PermissionGranted, ...); the other fields are filled where the event has them. <see cref="Allowed"/> is set for
/// logged reads (AccessGranted, AccessDenied, OwnerAccess), and so is <see cref="AttemptedAt"/>: when the read was made
/// (<see cref="BlockTime"/> is when it was logged, possibly later).
/// </summary>
public sealed record LedgerEvent(
    string Name,
    ulong BlockNumber,
    DateTimeOffset? BlockTime,
    string TransactionHash,
    string? Patient,
    string? Doctor,
    Guid? RecordId,
    DateTimeOffset? ExpiresAt,
    string? Detail,
    bool? Allowed = null,
    DateTimeOffset? AttemptedAt = null);

/// <summary>The contract refused a transaction (it reverted); <see cref="Exception.Message"/> gives its reason.</summary>
public sealed class LedgerRejectedException(string reason, string? errorName = null, Exception? inner = null)
    : Common.ForbiddenException(reason)
{
    /// <summary>The contract's custom error name when there is one (e.g. <c>NotGranted</c>).</summary>
    public string? ErrorName { get; } = errorName;

    public Exception? Cause { get; } = inner;
}
