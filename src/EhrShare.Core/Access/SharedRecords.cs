using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>
/// The app's copy of the records each grant covers (<see cref="GrantScope"/>), kept by the chain's rules
/// (<see cref="GrantScopeRules"/>): read to build a read's proof and to narrow a doctor's list, written once a grant is
/// mined, and the patient's choice checked before anything is sent. A chosen set is also staged before its grant is
/// sent (<see cref="StageAsync"/>): a read decided between the grant being mined and the set being saved would
/// otherwise carry the old set's proof and be refused, with a penalty, for a record the new set covers.
/// </summary>
public sealed class SharedRecords(IEhrDbContext db)
{
    /// <summary>
    /// <see cref="GrantScope.FromBlock"/> of a staged set: sent to the chain, not known to be mined. Never in force by
    /// the rules; only offered to the contract again when it refused a read as outside the grant (the contract judges
    /// the proof against the root it holds, so a stale staged set can never widen what a doctor reads).
    /// </summary>
    public const long StagedBlock = long.MaxValue;

    public const string NoneChosen = "Choose at least one record to share, or share all your records. Nothing was changed.";

    public const string NotYours = "One of the chosen records is not among your records (it was removed, or is not yours). Nothing was changed; choose again.";

    /// <summary>The sets kept for the patient's grant to the doctor (at most two; none: every record).</summary>
    public async Task<IReadOnlyList<GrantScope>> KeptAsync(string patientAccount, string doctorAccount, CancellationToken cancellationToken) =>
        await db.GrantScopes.AsNoTracking().Include(s => s.Records)
            .Where(s => s.PatientAccount == patientAccount && s.DoctorAccount == doctorAccount && s.FromBlock != StagedBlock)
            .ToListAsync(cancellationToken);

    /// <summary>The set staged for the patient's grant to the doctor (sent, not yet saved as mined); null when none.</summary>
    public async Task<IReadOnlySet<Guid>?> StagedAsync(string patientAccount, string doctorAccount, CancellationToken cancellationToken) =>
        (await db.GrantScopes.AsNoTracking().Include(s => s.Records)
            .FirstOrDefaultAsync(s => s.PatientAccount == patientAccount && s.DoctorAccount == doctorAccount && s.FromBlock == StagedBlock, cancellationToken))
        ?.Covered;

    /// <summary>
    /// Stages the chosen <paramref name="records"/> before the grant naming them is sent (replacing an earlier staged
    /// set of the same grant). <see cref="SaveAsync"/> drops it once the grant is mined; <see cref="UnstageAsync"/> when
    /// the grant failed. One left by a crash does no harm (see <see cref="StagedBlock"/>) and goes with the next save.
    /// </summary>
    public async Task StageAsync(string patientAccount, string doctorAccount, IReadOnlyCollection<Guid> records, CancellationToken cancellationToken)
    {
        await UnstageAsync(patientAccount, doctorAccount);
        db.GrantScopes.Add(new GrantScope
        {
            PatientAccount = patientAccount,
            DoctorAccount = doctorAccount,
            FromBlock = StagedBlock,
            Records = records.Distinct().Select(id => new GrantScopeRecord { RecordId = id }).ToList(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Drops the staged set of the patient's grant to the doctor, if any (its records go with it: cascade).</summary>
    public Task UnstageAsync(string patientAccount, string doctorAccount) =>
        db.GrantScopes.Where(s => s.PatientAccount == patientAccount && s.DoctorAccount == doctorAccount && s.FromBlock == StagedBlock)
            .ExecuteDeleteAsync(CancellationToken.None);

    /// <summary>The records the patient's grant to the doctor covers now, by doctor account; a doctor not listed: every record.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlySet<Guid>?>> InForceForPatientAsync(string patientAccount, CancellationToken cancellationToken) =>
        (await db.GrantScopes.AsNoTracking().Include(s => s.Records).Where(s => s.PatientAccount == patientAccount && s.FromBlock != StagedBlock).ToListAsync(cancellationToken))
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
            .Where(s => s.PatientAccount == patientAccount && s.DoctorAccount == doctorAccount && s.FromBlock != StagedBlock)
            .ToListAsync(CancellationToken.None);
        var (added, removed) = GrantScopeRules.Apply(kept, patientAccount, doctorAccount, records, block);
        if (added is not null)
        {
            db.GrantScopes.RemoveRange(removed);
            if (removed.Any(r => r.FromBlock == added.FromBlock))
            {
                // The unique (patient, doctor, block) row goes before its replacement comes.
                await db.SaveChangesAsync(CancellationToken.None);
            }

            db.GrantScopes.Add(added);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        // Only now: until the set is saved, the staged copy is what a read refused as outside the grant is retried with.
        await UnstageAsync(patientAccount, doctorAccount);
    }
}
