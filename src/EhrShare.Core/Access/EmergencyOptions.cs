using System.ComponentModel.DataAnnotations;

namespace EhrShare.Core.Access;

/// <summary>Emergencies (section <c>Emergencies</c>).</summary>
public sealed class EmergencyOptions
{
    public const string Section = "Emergencies";

    /// <summary>
    /// An emergency not reviewed this long after it was declared is shown on the manager's landing page
    /// (env <c>Emergencies__ReviewOverdueAfter</c>; default one day).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00", ErrorMessage = "Emergencies:ReviewOverdueAfter must be 0 to 365 days.")]
    public TimeSpan ReviewOverdueAfter { get; set; } = TimeSpan.FromDays(1);
}
