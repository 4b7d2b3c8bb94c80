using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>
/// The app's copy of the records each grant covers (<see cref="GrantScope"/>), kept by the chain's rules
/// (<see cref="GrantScopeRules"/>): read to build a read's proof and to narrow a doctor's list, written once a grant is
/// mined, and the patient's choice checked before anything is sent.
/// </summary>
public sealed class SharedRecords(IEhrDbContext db)
{
    public const string NoneChosen = "Choose at least one record to share, or share all your records. Nothing was changed.";

    public const string NotYours = "One of the chosen records is not among your records (it was removed, or is not yours). Nothing was changed; choose again.";

    /// <summary>The sets kept for the patient's grant to the doctor (at most two; none: every record).</summary>
    public async Task<IReadOnlyList<GrantScope>> KeptAsync(string patientAccount, string doctorAccount, CancellationToken cancellationToken) =>
        await db.GrantScopes.AsNoTracking().Include(s => s.Records)
            .Where(s => s.PatientAccount == patientAccount && s.DoctorAccount == doctorAccount)
            .ToListAsync(cancellationToken);

    /// <summary>The records the patient's grant to the doctor covers now, by doctor account; a doctor not listed: every record.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlySet<Guid>?>> InForceForPatientAsync(string patientAccount, CancellationToken cancellationToken) =>
        (await db.GrantScopes.AsNoTracking().Include(s => s.Records).Where(s => s.PatientAccount == patientAccount).ToListAsync(cancellationToken))
        .GroupBy(s => s.DoctorAccount, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => GrantScopeRules.CoveredAt(g.ToList(), ulong.MaxValue), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The patient's chosen records, checked: at least one, each a committed record of theirs. Anything else is a
    /// <see cref="ValidationFailedException"/> (nothing is sent).
    /// </summary>
    public async Task<IReadOnlyCollection<Guid>> CheckChoiceAsync(string patientUserId, IReadOnlyCollection<Guid> chosen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        var ids = chosen.Distinct().ToList();
        if (ids.Count == 0)
        {
            throw new ValidationFailedException(NoneChosen, "Records");
        }

        var found = await db.Records.AsNoTracking()
            .CountAsync(r => r.PatientUserId == patientUserId && r.State == RecordState.Committed && ids.Contains(r.Id), cancellationToken);
        return found == ids.Count ? ids : throw new ValidationFailedException(NotYours, "Records");
    }

    /// <summary>
    /// Keeps the set a grant named (<paramref name="records"/>; null: every record), once that grant is mined in
    /// <paramref name="block"/>: saved whatever the caller's cancellation says, since the chain already holds it.
    /// </summary>
    public async Task SaveAsync(string patientAccount, string doctorAccount, IReadOnlyCollection<Guid>? records, ulong block)
    {
        var kept = await db.GrantScopes.Include(s => s.Records)
            .Where(s => s.PatientAccount == patientAccount && s.DoctorAccount == doctorAccount)
            .ToListAsync(CancellationToken.None);
        var (added, removed) = GrantScopeRules.Apply(kept, patientAccount, doctorAccount, records, block);
        if (added is null)
        {
            return;
        }

        db.GrantScopes.RemoveRange(removed);
        if (removed.Any(r => r.FromBlock == added.FromBlock))
        {
            // The unique (patient, doctor, block) row goes before its replacement comes.
            await db.SaveChangesAsync(CancellationToken.None);
        }

        db.GrantScopes.Add(added);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
