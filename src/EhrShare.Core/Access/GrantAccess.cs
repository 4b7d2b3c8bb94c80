using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.People;
using EhrShare.Core.Records;

namespace EhrShare.Core.Access;

/// <summary>
/// A patient grants a doctor access until a time: every record, or the records they chose. A grant on the contract from
/// the patient's own account; the doctor's requests to the patient are answered and the doctor told.
/// </summary>
public sealed class GrantAccess(IEhrDbContext db, RecordParties parties, IAccessLedger ledger, TimeProvider clock, AccessNotices notices, SharedRecords shared)
{
    public static readonly TimeSpan MaxGrant = TimeSpan.FromDays(366);

    public Task<DoctorSummary> ExecuteAsync(string patientUserId, string doctorUserId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        ExecuteAsync(patientUserId, doctorUserId, expiresAt, records: null, cancellationToken);

    /// <summary>
    /// Grants the doctor every record (<paramref name="records"/> null) or the chosen ones until <paramref name="expiresAt"/>.
    /// The choice is checked first (at least one record, each a committed record of the patient's; nothing is sent
    /// otherwise); the set is kept once the grant is mined, from its block, as the contract keeps its root.
    /// </summary>
    public Task<DoctorSummary> ExecuteAsync(
        string patientUserId, string doctorUserId, DateTimeOffset expiresAt, IReadOnlyCollection<Guid>? records, CancellationToken cancellationToken) =>
        ExecuteAsync(patientUserId, doctorUserId, expiresAt, records, checkChoice: true, cancellationToken);

    /// <summary><paramref name="checkChoice"/> is false only for the set already in force (an extension, <see cref="ChangeGrant"/>).</summary>
    internal async Task<DoctorSummary> ExecuteAsync(
        string patientUserId, string doctorUserId, DateTimeOffset expiresAt, IReadOnlyCollection<Guid>? records, bool checkChoice, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (expiresAt <= now.AddMinutes(1))
        {
            throw new ValidationFailedException("Choose an expiry in the future.", "ExpiresAt");
        }

        if (expiresAt > now + MaxGrant)
        {
            throw new ValidationFailedException("A grant can last at most a year; you can renew it later.", "ExpiresAt");
        }

        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        await OnChainAsync(patient, doctor, expiresAt, records, checkChoice, cancellationToken);
        await db.CloseAsync(patient.User.Id, doctor.UserId, AccessRequestAnswer.Granted, clock.GetUtcNow());
        await notices.AnsweredAsync(NotificationKind.AccessGranted, patient, doctor, expiresAt);
        return doctor;
    }

    /// <summary>
    /// grantAccess (every record) or grantRecords (the checked choice), then the set kept from the block it was mined in.
    /// Returns the records granted (null: every record). <paramref name="checkChoice"/> is false only for the set already in
    /// force (an extension), which may name records removed since: they stay in it, unreadable anyway.
    /// </summary>
    internal async Task<IReadOnlyCollection<Guid>?> OnChainAsync(
        PatientParty patient, DoctorSummary doctor, DateTimeOffset expiresAt, IReadOnlyCollection<Guid>? records, bool checkChoice, CancellationToken cancellationToken)
    {
        var chosen = records is null || !checkChoice ? records : await shared.CheckChoiceAsync(patient.User.Id, records, cancellationToken);
        if (chosen is null)
        {
            // Every record: a read judged by the new root needs no proof, so nothing is staged.
            var all = await ledger.GrantAccessAsync(patient.Account, doctor.Account, expiresAt, cancellationToken);
            await shared.SaveAsync(patient.Account.Address, doctor.Account, records: null, all);
            return null;
        }

        await shared.StageAsync(patient.Account.Address, doctor.Account, chosen, cancellationToken);
        ulong block;
        try
        {
            block = await ledger.GrantRecordsAsync(patient.Account, doctor.Account, expiresAt, chosen, cancellationToken);
        }
        catch
        {
            await shared.UnstageAsync(patient.Account.Address, doctor.Account);
            throw;
        }

        await shared.SaveAsync(patient.Account.Address, doctor.Account, chosen, block);
        return chosen;
    }
}
