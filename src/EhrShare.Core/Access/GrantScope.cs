namespace EhrShare.Core.Access;

/// <summary>
/// The records a patient's grant to a doctor covers from block <see cref="FromBlock"/> on, as the app keeps it beside
/// the Merkle root the contract keeps (docs/decisions/record-scoped-grants.md). Saved only once the grant that named it
/// is mined. Like the contract, at most two are kept per patient and doctor: the set in force and the one it replaced
/// (for reads decided before the change); no row at all means every record.
/// </summary>
public class GrantScope
{
    public long Id { get; set; }

    public string PatientAccount { get; set; } = "";

    public string DoctorAccount { get; set; } = "";

    /// <summary>The block the grant (or change) that named this set was mined in.</summary>
    public long FromBlock { get; set; }

    /// <summary>Every record (a grant in force widened back to all records); <see cref="Records"/> is then empty.</summary>
    public bool AllRecords { get; set; }

    public List<GrantScopeRecord> Records { get; set; } = [];

    /// <summary>The covered record ids; null for every record.</summary>
    public IReadOnlySet<Guid>? Covered => AllRecords ? null : Records.Select(r => r.RecordId).ToHashSet();
}

/// <summary>One record of a <see cref="GrantScope"/>.</summary>
public class GrantScopeRecord
{
    public long GrantScopeId { get; set; }

    public Guid RecordId { get; set; }
}

/// <summary>
/// The contract's rules for a grant's set, applied to the app's copy so that each read's proof is built from the set
/// the chain judges it by: the set in force at block n is the last one unless n is before its change, then the one
/// it replaced; a second change mined in the same block replaces the first and keeps the set before the block; a
/// grant naming the set in force changes nothing.
/// </summary>
public static class GrantScopeRules
{
    /// <summary>The records covered at block <paramref name="block"/> by the kept sets (at most two); null for every record.</summary>
    public static IReadOnlySet<Guid>? CoveredAt(IReadOnlyCollection<GrantScope> kept, ulong block)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var current = kept.MaxBy(s => s.FromBlock);
        if (current is null)
        {
            return null;
        }

        // Before the last change: the set it replaced, or every record when the set in force was the first one.
        var inForce = block >= (ulong)current.FromBlock ? current : kept.Where(s => s != current).MaxBy(s => s.FromBlock);
        return inForce?.Covered;
    }

    /// <summary>
    /// What the kept sets become once a grant naming <paramref name="records"/> (null: every record) is mined in block
    /// <paramref name="block"/>: the set to add (null: nothing changes) and the kept ones to remove.
    /// </summary>
    public static (GrantScope? Add, IReadOnlyList<GrantScope> Remove) Apply(
        IReadOnlyCollection<GrantScope> kept, string patientAccount, string doctorAccount, IReadOnlyCollection<Guid>? records, ulong block)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var current = kept.MaxBy(s => s.FromBlock);
        var now = current?.Covered;
        if (records is null ? now is null : now is not null && now.SetEquals(records))
        {
            return (null, []);
        }

        var added = new GrantScope
        {
            PatientAccount = patientAccount,
            DoctorAccount = doctorAccount,
            FromBlock = checked((long)block),
            AllRecords = records is null,
            Records = records?.Distinct().Select(id => new GrantScopeRecord { RecordId = id }).ToList() ?? [],
        };

        // A change in the block of the last one replaces it (the set before the block stays); otherwise the set in force
        // becomes the one kept for earlier reads, and the one before it goes.
        var removed = current is not null && current.FromBlock == added.FromBlock
            ? [current]
            : kept.Where(s => s != current).ToList();
        return (added, removed);
    }
}
