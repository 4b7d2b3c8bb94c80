using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>
/// A doctor's request for access as the app sent it, kept to enforce the per-doctor limits (the chain keeps only the
/// latest request per patient). Open until the patient answers (grant, deny, revoke or block) or it grows old.
/// </summary>
public class AccessRequest
{
    public long Id { get; set; }

    public string DoctorUserId { get; set; } = "";

    public string PatientUserId { get; set; } = "";

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>When the patient answered; null while the request waits.</summary>
    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>How the patient answered (null while the request waits): a denial holds the doctor's next request to
    /// this patient for <see cref="AccessRequestOptions.DeniedRequestCooldown"/>.</summary>
    public AccessRequestAnswer? Answer { get; set; }
}

/// <summary>What closed a request.</summary>
public enum AccessRequestAnswer
{
    Granted,
    Denied,
    Revoked,
    Blocked,
}

/// <summary>A patient refuses every further request from a doctor (until they unblock).</summary>
public class DoctorBlock
{
    public string PatientUserId { get; set; } = "";

    public string DoctorUserId { get; set; } = "";

    public DateTimeOffset BlockedAt { get; set; }
}

/// <summary>A patient reports a doctor's request to the EHR manager, with what they want the manager to know.</summary>
public class RequestReport
{
    public long Id { get; set; }

    public string PatientUserId { get; set; } = "";

    public string DoctorUserId { get; set; } = "";

    public string? Comment { get; set; }

    public DateTimeOffset ReportedAt { get; set; }
}

/// <summary>The requests' bookkeeping shared by the use cases that answer them.</summary>
internal static class AccessRequests
{
    /// <summary>The patient answered (or blocked): the doctor's requests to them stop counting as open.</summary>
    public static Task CloseAsync(this IEhrDbContext db, string patientUserId, string doctorUserId, AccessRequestAnswer answer, DateTimeOffset now) =>
        db.AccessRequests
            .Where(r => r.PatientUserId == patientUserId && r.DoctorUserId == doctorUserId && r.AnsweredAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.AnsweredAt, now).SetProperty(r => r.Answer, answer), CancellationToken.None);
}
