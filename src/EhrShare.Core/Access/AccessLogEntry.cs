namespace EhrShare.Core.Access;

/// <summary>
/// One attempt to read a patient's records, made durable here (the outbox) before the read proceeds, then logged on
/// the chain in the background by the reader's own account. No attempt is lost: an entry stays until the chain has
/// its event, across chain outages and restarts.
/// </summary>
public class AccessLogEntry
{
    public long Id { get; set; }

    /// <summary>The record read, or null for the patient's record list.</summary>
    public Guid? RecordId { get; set; }

    public string PatientAccount { get; set; } = "";

    public string ActorUserId { get; set; } = "";

    public string ActorAccount { get; set; } = "";

    public AccessActor Actor { get; set; }

    /// <summary>What the app decided from the chain's view at the time; null when the chain could not be asked.</summary>
    public bool? DecidedAllowed { get; set; }

    /// <summary>
    /// The block whose state the decision was made on (the latest when the app asked); null when the chain could not
    /// be asked. With <see cref="AttemptedAt"/> it is sent to the contract, which decides the logged attempt as of that
    /// block and time, so the chain records the decision the app acted on.
    /// </summary>
    public long? DecidedAtBlock { get; set; }

    /// <summary>
    /// The record's Merkle proof under the grant's set in force when the app decided (32-byte siblings end to end; null or
    /// empty under a grant of every record, for the record list and for an owner's read): sent with the attempt, so the
    /// contract judges it against the set the app did (docs/decisions/record-scoped-grants.md).
    /// </summary>
    public byte[]? Proof { get; set; }

    /// <summary>When the read was made (the app's clock); the contract judges expiries at this time.</summary>
    public DateTimeOffset AttemptedAt { get; set; }

    public OutboxState State { get; set; } = OutboxState.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public string? TransactionHash { get; set; }

    /// <summary>
    /// The signed transaction of <see cref="TransactionHash"/> while the entry is Sent (public data: it holds no key),
    /// so the exact transaction can be handed to the node again when the node does not know it (an instance stopped
    /// between recording and sending it, or the node lost its pool); null otherwise.
    /// </summary>
    public byte[]? SignedTransaction { get; set; }

    /// <summary>The nonce <see cref="SignedTransaction"/> was signed with.</summary>
    public long? TransactionNonce { get; set; }

    public long? BlockNumber { get; set; }

    /// <summary>What the contract decided when it logged the attempt.</summary>
    public bool? ChainAllowed { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }
}

public enum AccessActor
{
    Doctor = 0,

    /// <summary>The patient reading their own record.</summary>
    Owner = 1,
}

public enum OutboxState
{
    Pending = 0,
    Sent = 1,
    Confirmed = 2,
}
