namespace EhrShare.Core.Users;

/// <summary>What a doctor registered with.</summary>
public class DoctorProfile
{
    public string UserId { get; set; } = "";

    public string LicenceNumber { get; set; } = "";

    public string Specialty { get; set; } = "";
}
