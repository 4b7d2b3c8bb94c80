using EhrShare.Core.Users;

namespace EhrShare.Core.People;

/// <summary>A doctor as a patient sees them: who is asking, with the licence number the manager approved.</summary>
public sealed record DoctorSummary(string UserId, string Name, string Specialty, string Account)
{
    public string LicenceNumber { get; init; } = "";
}

/// <summary>
/// A patient as a doctor sees them. <see cref="Name"/> is null unless the doctor may read the patient's records now
/// (granted and not expired, or an emergency): a doctor learns a name from the patient's grant, never by asking an
/// address (docs/decisions/names-hidden-until-granted.md).
/// </summary>
public sealed record PatientSummary(string UserId, string? Name, PatientAddress Address, string Account);
