using EhrShare.Core.Chain;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>An emergency on a patient's records, as the patient sees it.</summary>
public sealed record PatientEmergency(string DoctorName, string Reason, DateTimeOffset DeclaredAt, DateTimeOffset Until, EmergencyVerdict? Verdict);

/// <summary>
/// Who a patient deals with: every doctor who asked for or had access, where each stands now (the contract's state), and
/// the emergencies declared on the patient's records.
/// </summary>
public sealed class PatientAccessList(
    IEhrDbContext db,
    RecordParties parties,
    PeopleDirectory people,
    IAccessLedger ledger,
    ChainEventWindows windows,
    IEmergencyReasonProtector reasons,
    SharedRecords shared,
    TimeProvider clock)
{
    /// <summary>How long an emergency stays on the patient's pages after it was declared.</summary>
    public static readonly TimeSpan RecentEmergencies = TimeSpan.FromDays(30);

    /// <summary>Every doctor who asked for or had access to the patient, with where they stand now.</summary>
    public async Task<IReadOnlyList<PatientAccessEntry>> DoctorsAsync(string patientUserId, CancellationToken cancellationToken)
    {
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        // Who ever dealt with the patient, from the chain index (and the blocks after it); where each stands, from the contract.
        var me = patient.Account.Address;
        var window = await windows.OpenAsync(new LedgerEventQuery { Patient = me }, cancellationToken);
        var indexed = await db.ChainEvents.AsNoTracking()
            .Where(e => e.Patient == me && e.BlockNumber <= window.IndexedThrough && e.Doctor != null)
            .Select(e => e.Doctor!).Distinct().ToListAsync(cancellationToken);
        var doctorAccounts = indexed.Concat(window.Tail.Select(e => e.Doctor).OfType<string>())
            .Where(d => !string.Equals(d, me, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var doctors = await people.DoctorsAsync(doctorAccounts, cancellationToken);
        var blocked = (await db.DoctorBlocks.AsNoTracking().Where(b => b.PatientUserId == patient.User.Id)
            .Select(b => b.DoctorUserId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var reported = (await db.RequestReports.AsNoTracking().Where(r => r.PatientUserId == patient.User.Id)
            .Select(r => r.DoctorUserId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var sets = await shared.InForceForPatientAsync(me, cancellationToken);
        var entries = new List<PatientAccessEntry>();
        foreach (var account in doctorAccounts)
        {
            if (!doctors.TryGetValue(account, out var doctor))
            {
                continue;
            }

            var permission = await ledger.GetPermissionAsync(patient.Account.Address, account, cancellationToken);
            if (AccessStandings.Of(permission, clock.GetUtcNow()) is { } standing)
            {
                entries.Add(new PatientAccessEntry(doctor, standing, permission.ExpiresAt, permission.RequestedAt, permission.EmergencyUntil)
                {
                    Blocked = blocked.Contains(doctor.UserId),
                    Reported = reported.Contains(doctor.UserId),
                    SharedRecords = sets.GetValueOrDefault(account),
                });
            }
        }

        return entries.OrderBy(e => e.Standing).ThenBy(e => e.Doctor.Name).ToList();
    }

    /// <summary>One doctor as <see cref="DoctorsAsync"/> lists them (for a confirmation page); not found when that doctor never asked.</summary>
    public async Task<PatientAccessEntry> DoctorAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken) =>
        (await DoctorsAsync(patientUserId, cancellationToken)).FirstOrDefault(e => e.Doctor.UserId == doctorUserId)
        ?? throw new NotFoundException("That doctor has not asked you for access.");

    /// <summary>The emergencies declared on the patient's records, newest first, with the reasons as the doctors wrote them.</summary>
    public Task<IReadOnlyList<PatientEmergency>> EmergenciesAsync(string patientUserId, CancellationToken cancellationToken) =>
        EmergenciesSinceAsync(patientUserId, DateTimeOffset.MinValue, cancellationToken);

    /// <summary>The emergencies declared in the last <see cref="RecentEmergencies"/>: the notice on the patient's pages.</summary>
    public Task<IReadOnlyList<PatientEmergency>> RecentEmergenciesAsync(string patientUserId, CancellationToken cancellationToken) =>
        EmergenciesSinceAsync(patientUserId, clock.GetUtcNow() - RecentEmergencies, cancellationToken);

    private async Task<IReadOnlyList<PatientEmergency>> EmergenciesSinceAsync(string patientUserId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await (
            from e in db.Emergencies.AsNoTracking()
            join doctor in db.Users.AsNoTracking() on e.DoctorUserId equals doctor.Id
            where e.PatientUserId == patientUserId && e.DeclaredAt > since
            orderby e.DeclaredAt descending
            select new { doctor.DisplayName, e.ProtectedReason, e.DeclaredAt, e.Until, e.Verdict }).ToListAsync(cancellationToken);
        return rows.Select(r => new PatientEmergency(r.DisplayName, reasons.Unprotect(r.ProtectedReason).Text, r.DeclaredAt, r.Until, r.Verdict)).ToList();
    }
}
