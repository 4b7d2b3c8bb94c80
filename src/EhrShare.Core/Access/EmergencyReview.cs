using System.Globalization;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Access;

/// <summary>One emergency in the manager's queue.</summary>
public sealed record EmergencyQueueItem(
    long Id,
    string DoctorName,
    string DoctorAccount,
    string PatientName,
    PatientAddress? PatientAddress,
    string PatientAccount,
    DateTimeOffset DeclaredAt,
    DateTimeOffset Until,
    EmergencyVerdict? Verdict,
    DateTimeOffset? ReviewedAt)
{
    public bool Reviewed => Verdict is not null;
}

/// <summary>A read the doctor made (or tried) on the patient's records while the emergency was open, from the chain's log.</summary>
public sealed record EmergencyRead(DateTimeOffset? At, Guid? RecordId, string? RecordTitle, bool Allowed, string TransactionHash);

/// <summary>
/// An emergency for review: the reason as written, whether it matches the commitment in the chain's EmergencyAccess event
/// (<see cref="CommitmentOnChain"/> false when that event is not found), when the patient ended it (null: it ran out),
/// every read under it and the doctor's penalty count now.
/// </summary>
public sealed record EmergencyReviewDetail(
    EmergencyQueueItem Emergency,
    string Reason,
    bool CommitmentOnChain,
    bool ReasonMatchesCommitment,
    DateTimeOffset? EndedByPatientAt,
    IReadOnlyList<EmergencyRead> Reads,
    uint DoctorPenalties,
    bool DoctorSuspended);

/// <summary>
/// The manager's review of emergencies: the queue (newest first), one emergency with everything needed to judge it, and
/// the verdict, sent to the contract (abusive: a penalty, which counts toward suspension).
/// </summary>
public sealed class EmergencyReview(
    IEhrDbContext db, IAccessLedger ledger, IEmergencyReasonProtector reasons, IRecordDescriptionProtector descriptions, IOptions<EmergencyOptions> options, TimeProvider clock)
{
    public const int QueueSize = 200;

    public async Task<IReadOnlyList<EmergencyQueueItem>> QueueAsync(CancellationToken cancellationToken) =>
        (await ItemsAsync(db.Emergencies.AsNoTracking().OrderByDescending(e => e.Id).Take(QueueSize), cancellationToken))
        .OrderByDescending(e => e.DeclaredAt).ThenByDescending(e => e.Id).ToList();

    /// <summary>Unreviewed emergencies older than Emergencies:ReviewOverdueAfter, oldest first.</summary>
    public async Task<IReadOnlyList<EmergencyQueueItem>> OverdueAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - options.Value.ReviewOverdueAfter;
        var rows = await ItemsAsync(db.Emergencies.AsNoTracking().Where(e => e.Verdict == null), cancellationToken);
        // DateTimeOffset comparisons are done here: Pomelo stores them as UTC datetimes, but filtering in memory keeps the
        // rule exact whatever the column's offset handling.
        return rows.Where(e => e.DeclaredAt <= before).OrderBy(e => e.DeclaredAt).ToList();
    }

    /// <summary>
    /// The latest <paramref name="count"/> emergencies, newest first, each with its reason as the doctor wrote it: the
    /// monitor shows them in red (the review page also checks the reason against its commitment on the chain).
    /// </summary>
    public async Task<IReadOnlyList<(EmergencyQueueItem Emergency, string Reason)>> LatestWithReasonsAsync(int count, CancellationToken cancellationToken)
    {
        var latest = db.Emergencies.AsNoTracking().OrderByDescending(e => e.Id).Take(count);
        var items = await ItemsAsync(latest, cancellationToken);
        var protectedReasons = await latest.Select(e => new { e.Id, e.ProtectedReason }).ToDictionaryAsync(e => e.Id, e => e.ProtectedReason, cancellationToken);
        return items.OrderByDescending(e => e.DeclaredAt).ThenByDescending(e => e.Id)
            .Select(e => (e, reasons.Unprotect(protectedReasons[e.Id]).Text)).ToList();
    }

    public async Task<EmergencyReviewDetail> DetailAsync(long id, CancellationToken cancellationToken)
    {
        var item = (await ItemsAsync(db.Emergencies.AsNoTracking().Where(e => e.Id == id), cancellationToken)).FirstOrDefault()
            ?? throw new NotFoundException("That emergency does not exist.");
        var row = await db.Emergencies.AsNoTracking().FirstAsync(e => e.Id == id, cancellationToken);
        var reason = reasons.Unprotect(row.ProtectedReason);

        var events = await ledger.GetEventsAsync(
            new LedgerEventQuery { Patient = item.PatientAccount, Doctor = item.DoctorAccount, FromBlock = (ulong)row.BlockNumber },
            cancellationToken);
        var declared = events.FirstOrDefault(e => e.Name == "EmergencyAccess" && e.BlockNumber == (ulong)row.BlockNumber
            && string.Equals(e.TransactionHash, row.TransactionHash, StringComparison.OrdinalIgnoreCase));
        var recomputed = "Reason commitment " + Hex(ledger.CommitToReason(reason.Salt, reason.Text));
        var matches = declared?.Detail is { } detail && string.Equals(detail, recomputed, StringComparison.OrdinalIgnoreCase);

        var ended = events.FirstOrDefault(e => e.Name == "PermissionRevoked" && e.BlockNumber > (ulong)row.BlockNumber && e.BlockTime < row.Until);
        var end = ended?.BlockTime is { } at && at < row.Until ? at : row.Until;
        var titles = await RecordTitles.OfPatientAsync(db, descriptions, row.PatientUserId, cancellationToken);
        var reads = events
            .Where(e => e.Name is "AccessGranted" or "AccessDenied" && (e.AttemptedAt ?? e.BlockTime) is { } t && t >= row.DeclaredAt.AddSeconds(-1) && t <= end)
            .OrderBy(e => e.AttemptedAt ?? e.BlockTime)
            .Select(e => new EmergencyRead(e.AttemptedAt ?? e.BlockTime, e.RecordId,
                e.RecordId is { } r && titles.TryGetValue(r, out var title) ? title : null, e.Allowed == true, e.TransactionHash))
            .ToList();
        var doctor = await ledger.GetAccountAsync(item.DoctorAccount, cancellationToken);
        return new EmergencyReviewDetail(item, reason.Text, declared is not null, matches, ended?.BlockTime, reads, doctor.Penalties, doctor.Suspended);
    }

    /// <summary>
    /// Records the manager's verdict on the chain (reviewEmergency; abusive adds a penalty to the doctor) and here. An
    /// emergency is reviewed once: a second verdict is refused and changes nothing.
    /// </summary>
    public async Task<EmergencyQueueItem> ReviewAsync(string managerUserId, long id, EmergencyVerdict verdict, CancellationToken cancellationToken)
    {
        if (verdict is not (EmergencyVerdict.Justified or EmergencyVerdict.Abusive))
        {
            throw new ValidationFailedException("Choose justified or abusive.", "Verdict");
        }

        var row = await db.Emergencies.FirstOrDefaultAsync(e => e.Id == id, cancellationToken)
            ?? throw new NotFoundException("That emergency does not exist.");
        var item = (await ItemsAsync(db.Emergencies.AsNoTracking().Where(e => e.Id == id), cancellationToken)).First();
        if (row.Verdict is { } earlier)
        {
            throw new ValidationFailedException(
                $"This emergency was already reviewed as {earlier.ToString().ToLowerInvariant()} on {row.ReviewedAt:yyyy-MM-dd HH:mm} UTC; a verdict cannot be changed.", "Verdict");
        }

        await ledger.ReviewEmergencyAsync(item.PatientAccount, item.DoctorAccount, (ulong)row.BlockNumber, verdict == EmergencyVerdict.Abusive, cancellationToken);
        row.Verdict = verdict;
        row.ReviewedAt = clock.GetUtcNow();
        row.ReviewedByUserId = managerUserId;
        await db.SaveChangesAsync(CancellationToken.None);
        return item with { Verdict = verdict, ReviewedAt = row.ReviewedAt };
    }

    /// <summary>A period in words: "24 hours", "7 days".</summary>
    public static string Describe(TimeSpan period) =>
        period.TotalDays >= 1 && period.TotalHours % 24 == 0 && period.TotalDays > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{period.TotalDays:0} days")
            : string.Create(CultureInfo.InvariantCulture, $"{period.TotalHours:0.##} hour{(period.TotalHours == 1 ? "" : "s")}");

    private async Task<List<EmergencyQueueItem>> ItemsAsync(IQueryable<EmergencyDeclaration> source, CancellationToken cancellationToken)
    {
        var rows = await (
            from e in source
            join doctor in db.Users.AsNoTracking() on e.DoctorUserId equals doctor.Id
            join doctorAccount in db.ChainAccounts.AsNoTracking() on e.DoctorUserId equals doctorAccount.UserId
            join patient in db.Users.AsNoTracking() on e.PatientUserId equals patient.Id
            join profile in db.Patients.AsNoTracking() on e.PatientUserId equals profile.UserId
            join patientAccount in db.ChainAccounts.AsNoTracking() on e.PatientUserId equals patientAccount.UserId
            select new
            {
                e.Id,
                DoctorName = doctor.DisplayName,
                DoctorAccount = doctorAccount.Address,
                PatientName = patient.DisplayName,
                profile.AreaId,
                profile.Pid,
                PatientAccount = patientAccount.Address,
                e.DeclaredAt,
                e.Until,
                e.Verdict,
                e.ReviewedAt,
            }).ToListAsync(cancellationToken);
        return rows.Select(r => new EmergencyQueueItem(
            r.Id,
            r.DoctorName,
            r.DoctorAccount,
            r.PatientName,
            r.Pid is { } pid ? new PatientAddress((uint)r.AreaId, (uint)pid) : null,
            r.PatientAccount,
            r.DeclaredAt,
            r.Until,
            r.Verdict,
            r.ReviewedAt)).ToList();
    }

    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
