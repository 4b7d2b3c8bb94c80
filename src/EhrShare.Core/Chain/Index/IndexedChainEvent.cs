namespace EhrShare.Core.Chain.Index;

/// <summary>
/// One contract event as the chain index keeps it (written by the indexer, read by the history and monitor pages).
/// Identified on the chain by (<see cref="BlockHash"/>, <see cref="LogIndex"/>): an event of a block that a
/// reorganisation removed is deleted with its block and read again from the new one.
/// </summary>
public class IndexedChainEvent
{
    public long Id { get; set; }

    public long BlockNumber { get; set; }

    public string BlockHash { get; set; } = "";

    public int LogIndex { get; set; }

    public string TransactionHash { get; set; } = "";

    public DateTimeOffset? BlockTime { get; set; }

    /// <summary>The Solidity event name (<see cref="LedgerEvent.Name"/>).</summary>
    public string Name { get; set; } = "";

    public string? Patient { get; set; }

    public string? Doctor { get; set; }

    public Guid? RecordId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public string? Detail { get; set; }

    public bool? Allowed { get; set; }

    public DateTimeOffset? AttemptedAt { get; set; }

    /// <summary>When it happened, in Unix seconds: the read's time for logged reads, else the block's time. Sorts and filters pages.</summary>
    public long At { get; set; }

    public ChainEventCategory Category { get; set; }

    /// <summary>A denial, an emergency or a suspension: the monitor's red list.</summary>
    public bool IsAlert { get; set; }

    public static IndexedChainEvent From(LedgerEvent e, string blockHash, int logIndex)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new IndexedChainEvent
        {
            BlockNumber = checked((long)e.BlockNumber),
            BlockHash = blockHash,
            LogIndex = logIndex,
            TransactionHash = e.TransactionHash,
            BlockTime = e.BlockTime,
            Name = e.Name,
            Patient = e.Patient,
            Doctor = e.Doctor,
            RecordId = e.RecordId,
            ExpiresAt = e.ExpiresAt,
            Detail = e.Detail,
            Allowed = e.Allowed,
            AttemptedAt = e.AttemptedAt,
            At = ChainEventKinds.At(e),
            Category = ChainEventKinds.CategoryOf(e),
            IsAlert = ChainEventKinds.IsAlert(e),
        };
    }

    public LedgerEvent ToLedgerEvent() => new(Name, (ulong)BlockNumber, BlockTime, TransactionHash, Patient, Doctor, RecordId, ExpiresAt, Detail, Allowed, AttemptedAt);
}

/// <summary>What a history filter chooses among a patient's events.</summary>
public enum ChainEventCategory
{
    /// <summary>Requests, grants, records added or removed, registrations, settings.</summary>
    Other = 0,

    /// <summary>A read the contract allowed.</summary>
    Allowed = 1,

    /// <summary>A read the contract refused.</summary>
    Denied = 2,

    /// <summary>An emergency declared, refused or reviewed.</summary>
    Emergency = 3,
}

/// <summary>How events are sorted into the index's categories, the same for indexed events and the live tail.</summary>
public static class ChainEventKinds
{
    public static ChainEventCategory CategoryOf(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Name switch
        {
            "EmergencyAccess" or "EmergencyRefused" or "EmergencyReviewed" => ChainEventCategory.Emergency,
            "AccessDenied" => ChainEventCategory.Denied,
            "AccessGranted" => ChainEventCategory.Allowed,
            "OwnerAccess" => e.Allowed == false ? ChainEventCategory.Denied : ChainEventCategory.Allowed,
            _ => ChainEventCategory.Other,
        };
    }

    public static bool IsAlert(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Name is "AccessDenied" or "EmergencyAccess" or "EmergencyRefused" or "AccountSuspended" || e.Allowed == false;
    }

    /// <summary>Unix seconds of <see cref="LedgerEvent.AttemptedAt"/>, else the block's time, else 0.</summary>
    public static long At(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return (e.AttemptedAt ?? e.BlockTime)?.ToUnixTimeSeconds() ?? 0;
    }
}
