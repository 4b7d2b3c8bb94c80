using EhrShare.Core.Chain;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.People;
using EhrShare.Core.Records;

namespace EhrShare.Core.Access;

/// <summary>
/// A patient says no to a doctor: declines their request, or revokes their access now (a grant, or an emergency the
/// doctor declared). Each is a transaction on the contract from the patient's account; the doctor's requests count as
/// answered and the doctor is told.
/// </summary>
public sealed class RefuseAccess(IEhrDbContext db, RecordParties parties, IAccessLedger ledger, TimeProvider clock, AccessNotices notices)
{
    public Task<DoctorSummary> DenyAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken) =>
        RefuseAsync(patientUserId, doctorUserId, AccessRequestAnswer.Denied, cancellationToken);

    public Task<DoctorSummary> RevokeAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken) =>
        RefuseAsync(patientUserId, doctorUserId, AccessRequestAnswer.Revoked, cancellationToken);

    private async Task<DoctorSummary> RefuseAsync(string patientUserId, string doctorUserId, AccessRequestAnswer answer, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        if (answer == AccessRequestAnswer.Denied)
        {
            await ledger.DenyAccessAsync(patient.Account, doctor.Account, cancellationToken);
        }
        else
        {
            await ledger.RevokeAccessAsync(patient.Account, doctor.Account, cancellationToken);
        }

        await db.CloseAsync(patient.User.Id, doctor.UserId, answer, clock.GetUtcNow());
        await notices.AnsweredAsync(answer == AccessRequestAnswer.Denied ? NotificationKind.AccessDenied : NotificationKind.AccessRevoked, patient, doctor, null);
        return doctor;
    }
}
