using EhrShare.Core.Chain;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Data;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Access;

/// <summary>Who a doctor deals with: every patient the doctor asked, where the doctor stands with each now, and when an access ends.</summary>
public sealed class DoctorAccessList(
    IEhrDbContext db,
    RecordParties parties,
    PeopleDirectory people,
    IAccessLedger ledger,
    ChainEventWindows windows,
    TimeProvider clock,
    IOptions<AccessRequestOptions> requestOptions)
{
    /// <summary>Every patient the doctor asked, with where the doctor stands now; a name only while the doctor may read.</summary>
    public async Task<IReadOnlyList<DoctorAccessEntry>> PatientsAsync(string doctorUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var me = doctor.Account.Address;
        var window = await windows.OpenAsync(new LedgerEventQuery { Doctor = me }, cancellationToken);
        var indexed = await db.ChainEvents.AsNoTracking()
            .Where(e => e.Doctor == me && e.BlockNumber <= window.IndexedThrough && e.Patient != null)
            .Select(e => e.Patient!).Distinct().ToListAsync(cancellationToken);
        var patientAccounts = indexed.Concat(window.Tail.Where(e => e.Patient is not null && string.Equals(e.Doctor, me, StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Patient!))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var patients = await people.PatientsAsync(patientAccounts, cancellationToken);
        var cooldown = requestOptions.Value.DeniedRequestCooldown;
        var deniedSince = clock.GetUtcNow() - cooldown;
        var deniedAt = cooldown <= TimeSpan.Zero
            ? []
            : await db.AccessRequests.AsNoTracking()
                .Where(r => r.DoctorUserId == doctor.User.Id && r.Answer == AccessRequestAnswer.Denied && r.AnsweredAt > deniedSince)
                .GroupBy(r => r.PatientUserId)
                .Select(g => new { PatientUserId = g.Key, At = g.Max(r => r.AnsweredAt) })
                .ToDictionaryAsync(g => g.PatientUserId, g => g.At!.Value, StringComparer.Ordinal, cancellationToken);
        var entries = new List<DoctorAccessEntry>();
        foreach (var account in patientAccounts)
        {
            if (!patients.TryGetValue(account, out var patient))
            {
                continue;
            }

            var permission = await ledger.GetPermissionAsync(account, doctor.Account.Address, cancellationToken);
            if (AccessStandings.Of(permission, clock.GetUtcNow()) is { } standing)
            {
                // The name only while the doctor may read the records: never for a request that waits, nor after a
                // denial, a revocation or an expiry.
                var shown = standing is AccessStanding.Granted or AccessStanding.Emergency ? patient : patient with { Name = null };
                entries.Add(new DoctorAccessEntry(shown, standing, permission.ExpiresAt, permission.RequestedAt, permission.EmergencyUntil)
                {
                    AskAgainAfter = standing == AccessStanding.Denied && deniedAt.TryGetValue(patient.UserId, out var at) ? at + cooldown : null,
                });
            }
        }

        return entries.OrderBy(e => e.Standing).ThenBy(e => e.Patient.Address.Aid).ThenBy(e => e.Patient.Address.Pid).ToList();
    }

    /// <summary>When the doctor's access to the patient ends, as the chain says now: shown beside the patient's records.</summary>
    public async Task<DoctorAccessWindow> WindowAsync(string doctorUserId, string patientUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account.Address, cancellationToken);
        var now = clock.GetUtcNow();
        return new DoctorAccessWindow(
            permission.Status == LedgerPermissionStatus.Granted && permission.ExpiresAt > now ? permission.ExpiresAt : null,
            permission.EmergencyUntil > now ? permission.EmergencyUntil : null);
    }
}
