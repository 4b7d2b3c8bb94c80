using System.Globalization;
using EhrShare.Core.People;
using EhrShare.Core.Records;

namespace EhrShare.Core.Notifications;

/// <summary>
/// The words of the notifications that access decisions send, each holding only what its reader sees on the pages: a
/// patient sees the doctor's name (as on Access); a doctor sees the patient's address only, never the name (a name
/// shown while granted would stay in the list after a revocation); the manager sees the doctor and the address.
/// </summary>
public sealed class AccessNotices(Notifier notifier)
{
    public Task RequestedAsync(PatientSummary patient, DoctorParty doctor) =>
        notifier.ToUserAsync(patient.UserId, NotificationKind.AccessRequested,
            $"Dr {doctor.User.DisplayName} asked for access to your records. Grant or deny it on Access.",
            "/Patient/Access");

    public Task AnsweredAsync(NotificationKind kind, PatientParty patient, DoctorSummary doctor, DateTimeOffset? expiresAt)
    {
        var text = kind switch
        {
            NotificationKind.AccessGranted => string.Create(CultureInfo.InvariantCulture,
                $"The patient at {patient.Address} granted you access to their records until {expiresAt?.UtcDateTime:yyyy-MM-dd HH:mm} UTC."),
            NotificationKind.AccessDenied => $"The patient at {patient.Address} denied your request for access.",
            NotificationKind.AccessRevoked => $"The patient at {patient.Address} revoked your access to their records.",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an answer to a request."),
        };
        return notifier.ToUserAsync(doctor.UserId, kind, text, "/Doctor");
    }

    public async Task EmergencyAsync(PatientSummary patient, DoctorParty doctor, DateTimeOffset until)
    {
        await notifier.ToUserAsync(patient.UserId, NotificationKind.EmergencyOnMe,
            string.Create(CultureInfo.InvariantCulture,
                $"Dr {doctor.User.DisplayName} declared an emergency and can read your records until {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Their reason, and how to end it, are on Access."),
            "/Patient/Access");
        await notifier.ToManagersAsync(NotificationKind.EmergencyDeclared,
            $"Dr {doctor.User.DisplayName} declared an emergency on the records of the patient at {patient.Address}. It waits for your review.",
            "/Emergencies");
    }
}
