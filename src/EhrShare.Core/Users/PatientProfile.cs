using EhrShare.Core.Areas;

namespace EhrShare.Core.Users;

/// <summary>What a patient registered with. The PID is given at approval, unique within the area.</summary>
public class PatientProfile
{
    public string UserId { get; set; } = "";

    public int AreaId { get; set; }

    public Area? Area { get; set; }

    public int? Pid { get; set; }

    public DateOnly DateOfBirth { get; set; }

    public PatientAddress? Address => Pid is int pid ? new PatientAddress((uint)AreaId, (uint)pid) : null;
}
