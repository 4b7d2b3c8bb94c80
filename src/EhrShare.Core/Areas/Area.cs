namespace EhrShare.Core.Areas;

/// <summary>An area managed by the cloud EHR manager; its id is the AID in every patient address of the area.</summary>
public class Area
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Closed areas take no new registrations; existing patients keep their addresses.</summary>
    public bool IsOpen { get; set; } = true;

    /// <summary>The last PID given out in this area; PIDs are never reused.</summary>
    public int LastPid { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
