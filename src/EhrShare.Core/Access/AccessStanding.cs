using EhrShare.Core.Chain;
using EhrShare.Core.People;

namespace EhrShare.Core.Access;

/// <summary>Where a doctor stands with a patient, as the chain says now.</summary>
public enum AccessStanding
{
    Requested,
    Granted,
    Expired,
    Denied,
    Revoked,
    Emergency,
}

public sealed record PatientAccessEntry(DoctorSummary Doctor, AccessStanding Standing, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil)
{
    /// <summary>The patient blocked this doctor: no further request from them reaches the patient.</summary>
    public bool Blocked { get; init; }

    /// <summary>The patient reported this doctor's request to the EHR manager.</summary>
    public bool Reported { get; init; }

    /// <summary>The records a grant covers when the patient chose some (the app's copy of the set in force); null: every record.</summary>
    public IReadOnlySet<Guid>? SharedRecords { get; init; }
}

public sealed record DoctorAccessEntry(PatientSummary Patient, AccessStanding Standing, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil)
{
    /// <summary>The patient declined the doctor's last request: the doctor may ask again only after this time (null: now).</summary>
    public DateTimeOffset? AskAgainAfter { get; init; }
}

/// <summary>When a doctor's access to a patient ends, as the chain says now: the grant's expiry and an emergency's end
/// (each null when not in force).</summary>
public sealed record DoctorAccessWindow(DateTimeOffset? GrantEnds, DateTimeOffset? EmergencyEnds);

public static class AccessStandings
{
    /// <summary>The standing a permission gives at <paramref name="now"/>; null when the doctor never asked.</summary>
    public static AccessStanding? Of(LedgerPermission permission, DateTimeOffset now)
    {
        if (permission.EmergencyUntil > now)
        {
            return AccessStanding.Emergency;
        }

        return permission.Status switch
        {
            LedgerPermissionStatus.Requested => AccessStanding.Requested,
            LedgerPermissionStatus.Granted => permission.ExpiresAt > now ? AccessStanding.Granted : AccessStanding.Expired,
            LedgerPermissionStatus.Denied => AccessStanding.Denied,
            LedgerPermissionStatus.Revoked => AccessStanding.Revoked,
            _ => null,
        };
    }
}
