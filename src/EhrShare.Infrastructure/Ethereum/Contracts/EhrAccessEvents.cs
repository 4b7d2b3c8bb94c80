using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

/// <summary>An event of the EhrAccess contract with where and when it happened. Subtypes mirror the Solidity events.</summary>
public abstract record EhrAccessEvent
{
    public ulong BlockNumber { get; init; }

    public string TransactionHash { get; init; } = "";

    public ulong LogIndex { get; init; }

    /// <summary>The block's time (null only if the node gave none and it was not looked up).</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The Solidity event name, e.g. <c>AccessDenied</c>.</summary>
    public abstract string EventName { get; }
}

public sealed record PatientRegisteredEvent(EthAddress Patient, uint Aid, uint Pid) : EhrAccessEvent
{
    public override string EventName => "PatientRegistered";
}

public sealed record DoctorRegisteredEvent(EthAddress Doctor) : EhrAccessEvent
{
    public override string EventName => "DoctorRegistered";
}

public sealed record AccountSuspendedEvent(EthAddress Account, SuspensionCause Cause) : EhrAccessEvent
{
    public override string EventName => "AccountSuspended";
}

public sealed record AccountReinstatedEvent(EthAddress Account) : EhrAccessEvent
{
    public override string EventName => "AccountReinstated";
}

public sealed record DoctorPenalizedEvent(EthAddress Doctor, uint Penalties) : EhrAccessEvent
{
    public override string EventName => "DoctorPenalized";
}

public sealed record PenaltyLiftedEvent(EthAddress Doctor) : EhrAccessEvent
{
    public override string EventName => "PenaltyLifted";
}

public sealed record PenaltyThresholdSetEvent(uint Threshold) : EhrAccessEvent
{
    public override string EventName => "PenaltyThresholdSet";
}

public sealed record EmergencyWindowSetEvent(TimeSpan Window) : EhrAccessEvent
{
    public override string EventName => "EmergencyWindowSet";
}

public sealed record RecordAddedEvent(EthAddress Patient, Guid RecordId, byte[] BlockHash) : EhrAccessEvent
{
    public override string EventName => "RecordAdded";
}

public sealed record RecordRemovedEvent(EthAddress Patient, Guid RecordId) : EhrAccessEvent
{
    public override string EventName => "RecordRemoved";
}

public sealed record AccessRequestedEvent(EthAddress Patient, EthAddress Doctor) : EhrAccessEvent
{
    public override string EventName => "AccessRequested";
}

public sealed record PermissionGrantedEvent(EthAddress Patient, EthAddress Doctor, DateTimeOffset ExpiresAt) : EhrAccessEvent
{
    public override string EventName => "PermissionGranted";

    /// <summary>The Merkle root of the granted records (<see cref="RecordSet"/>); null for all records.</summary>
    public byte[]? RecordsRoot { get; init; }
}

public sealed record PermissionDeniedEvent(EthAddress Patient, EthAddress Doctor) : EhrAccessEvent
{
    public override string EventName => "PermissionDenied";
}

public sealed record PermissionRevokedEvent(EthAddress Patient, EthAddress Doctor) : EhrAccessEvent
{
    public override string EventName => "PermissionRevoked";
}

/// <summary>
/// An allowed access attempt. <see cref="RecordId"/> is null for the patient's record list (bytes16 zero);
/// <see cref="AttemptedAt"/> is when the read was made (the block's time is when it was logged).
/// </summary>
public sealed record AccessGrantedEvent(EthAddress Patient, EthAddress Doctor, Guid? RecordId, DateTimeOffset AttemptedAt) : EhrAccessEvent
{
    public override string EventName => "AccessGranted";
}

/// <summary>A refused access attempt, made at <see cref="AttemptedAt"/>, with the doctor's penalty count after it.</summary>
public sealed record AccessDeniedEvent(EthAddress Patient, EthAddress Doctor, Guid? RecordId, DenialReason Reason, uint Penalties, DateTimeOffset AttemptedAt) : EhrAccessEvent
{
    public override string EventName => "AccessDenied";
}

/// <summary>A declared emergency; <see cref="ReasonCommitment"/> is keccak256(salt ‖ reason), the reason kept off the chain.</summary>
public sealed record EmergencyAccessEvent(EthAddress Patient, EthAddress Doctor, byte[] ReasonCommitment, DateTimeOffset Until) : EhrAccessEvent
{
    public override string EventName => "EmergencyAccess";
}

/// <summary>A refused emergency declaration (nothing changed but the log).</summary>
public sealed record EmergencyRefusedEvent(EthAddress Patient, EthAddress Doctor, EmergencyRefusal Reason) : EhrAccessEvent
{
    public override string EventName => "EmergencyRefused";
}

/// <summary>The owner's verdict on the emergency declared at <see cref="DeclaredBlock"/>; an abusive one is penalised too.</summary>
public sealed record EmergencyReviewedEvent(EthAddress Patient, EthAddress Doctor, ulong DeclaredBlock, bool Abusive) : EhrAccessEvent
{
    public override string EventName => "EmergencyReviewed";
}

public sealed record EmergencyLimitSetEvent(uint Limit, TimeSpan Period) : EhrAccessEvent
{
    public override string EventName => "EmergencyLimitSet";
}

/// <summary>
/// A patient read their own record (<see cref="RecordId"/> null: the record list). <see cref="Allowed"/> is false when
/// the record was unknown or already removed at the read, made at <see cref="AttemptedAt"/>.
/// </summary>
public sealed record OwnerAccessEvent(EthAddress Patient, Guid? RecordId, bool Allowed, DateTimeOffset AttemptedAt) : EhrAccessEvent
{
    public override string EventName => "OwnerAccess";
}

/// <summary>Decodes EhrAccess logs into typed events.</summary>
public static class EhrAccessEventDecoder
{
    /// <summary>The typed event of a log, or null if the log is not one of EhrAccess's events.</summary>
    public static EhrAccessEvent? Decode(RpcLog log, ContractAbi? abi = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        abi ??= ContractArtifact.EhrAccess.Abi;
        if (log.Topics.Count == 0 || abi.FindEvent(log.Topics[0]) is not { } definition)
        {
            return null;
        }

        var v = definition.Decode(log.Topics, log.Data);
        EhrAccessEvent evt = definition.Name switch
        {
            "PatientRegistered" => new PatientRegisteredEvent(A(v[0]), U32(v[1]), U32(v[2])),
            "DoctorRegistered" => new DoctorRegisteredEvent(A(v[0])),
            "AccountSuspended" => new AccountSuspendedEvent(A(v[0]), (SuspensionCause)U32(v[1])),
            "AccountReinstated" => new AccountReinstatedEvent(A(v[0])),
            "DoctorPenalized" => new DoctorPenalizedEvent(A(v[0]), U32(v[1])),
            "PenaltyLifted" => new PenaltyLiftedEvent(A(v[0])),
            "PenaltyThresholdSet" => new PenaltyThresholdSetEvent(U32(v[0])),
            "EmergencyWindowSet" => new EmergencyWindowSetEvent(TimeSpan.FromSeconds((double)(BigInteger)v[0]!)),
            "RecordAdded" => new RecordAddedEvent(A(v[0]), RecordIds.FromBytes16((byte[])v[1]!), (byte[])v[2]!),
            "RecordRemoved" => new RecordRemovedEvent(A(v[0]), RecordIds.FromBytes16((byte[])v[1]!)),
            "AccessRequested" => new AccessRequestedEvent(A(v[0]), A(v[1])),
            "PermissionGranted" => new PermissionGrantedEvent(A(v[0]), A(v[1]), Time(v[2])) { RecordsRoot = OptionalRoot(v[3]) },
            "PermissionDenied" => new PermissionDeniedEvent(A(v[0]), A(v[1])),
            "PermissionRevoked" => new PermissionRevokedEvent(A(v[0]), A(v[1])),
            "AccessGranted" => new AccessGrantedEvent(A(v[0]), A(v[1]), OptionalId(v[2]), Time(v[3])),
            "AccessDenied" => new AccessDeniedEvent(A(v[0]), A(v[1]), OptionalId(v[2]), (DenialReason)U32(v[3]), U32(v[4]), Time(v[5])),
            "EmergencyAccess" => new EmergencyAccessEvent(A(v[0]), A(v[1]), (byte[])v[2]!, Time(v[3])),
            "EmergencyRefused" => new EmergencyRefusedEvent(A(v[0]), A(v[1]), (EmergencyRefusal)U32(v[2])),
            "EmergencyReviewed" => new EmergencyReviewedEvent(A(v[0]), A(v[1]), (ulong)(BigInteger)v[2]!, (bool)v[3]!),
            "EmergencyLimitSet" => new EmergencyLimitSetEvent(U32(v[0]), TimeSpan.FromSeconds((double)(BigInteger)v[1]!)),
            "OwnerAccess" => new OwnerAccessEvent(A(v[0]), OptionalId(v[1]), (bool)v[2]!, Time(v[3])),
            _ => throw new AbiException($"EhrAccess event '{definition.Name}' has no typed record; add one."),
        };
        return evt with
        {
            BlockNumber = log.BlockNumber,
            TransactionHash = log.TransactionHash,
            LogIndex = log.LogIndex,
            Timestamp = log.BlockTimestamp,
        };
    }

    private static EthAddress A(object? value) => (EthAddress)value!;

    private static uint U32(object? value) => (uint)(BigInteger)value!;

    /// <summary>Unix seconds; beyond what DateTimeOffset holds (the year 9999), its largest value.</summary>
    private static DateTimeOffset Time(object? value)
    {
        var seconds = (BigInteger)value!;
        return seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
    }

    private static byte[]? OptionalRoot(object? value)
    {
        var bytes = (byte[])value!;
        return bytes.AsSpan().ContainsAnyExcept((byte)0) ? bytes : null;
    }

    private static Guid? OptionalId(object? value)
    {
        var bytes = (byte[])value!;
        return bytes.AsSpan().ContainsAnyExcept((byte)0) ? RecordIds.FromBytes16(bytes) : null;
    }
}
