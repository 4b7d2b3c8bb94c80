namespace EhrShare.Core.Access;

/// <summary>
/// A doctor's break-glass access, with the reason in words. The chain holds only the reason's SHA-256 (no personal
/// data on the chain); the words stay here, for the patient and the admin to read.
/// </summary>
public class EmergencyDeclaration
{
    public long Id { get; set; }

    public string DoctorUserId { get; set; } = "";

    public string PatientUserId { get; set; } = "";

    public string Reason { get; set; } = "";

    public byte[] ReasonHash { get; set; } = [];

    public DateTimeOffset DeclaredAt { get; set; }
}
