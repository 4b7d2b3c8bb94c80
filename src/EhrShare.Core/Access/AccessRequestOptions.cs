using System.ComponentModel.DataAnnotations;

namespace EhrShare.Core.Access;

/// <summary>How many access requests a doctor may have out (section <c>AccessRequests</c>): patients' addresses are
/// sequential, so without a limit one doctor could ask every patient in turn.</summary>
public sealed class AccessRequestOptions
{
    public const string Section = "AccessRequests";

    /// <summary>Requests waiting for a patient's answer at once (env <c>AccessRequests__MaxOpenRequests</c>; default 10).</summary>
    [Range(1, 1000, ErrorMessage = "AccessRequests:MaxOpenRequests must be 1 to 1000.")]
    public int MaxOpenRequests { get; set; } = 10;

    /// <summary>Requests sent in any 24 hours (env <c>AccessRequests__MaxRequestsPerDay</c>; default 20).</summary>
    [Range(1, 10000, ErrorMessage = "AccessRequests:MaxRequestsPerDay must be 1 to 10000.")]
    public int MaxRequestsPerDay { get; set; } = 20;

    /// <summary>
    /// A request no patient answered stops counting as open after this long (env <c>AccessRequests__OpenRequestLifetime</c>;
    /// default 30 days), so patients who never answer cannot lock a doctor out for good.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00", ErrorMessage = "AccessRequests:OpenRequestLifetime must be 1 hour to 365 days.")]
    public TimeSpan OpenRequestLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// After a patient declines a doctor's request, the doctor may ask that patient again only after this long (env
    /// <c>AccessRequests__DeniedRequestCooldown</c>; default 3 days; 0 turns it off), so a "no" is not answered by a
    /// stream of the same request. A revocation or an expiry holds nothing: the doctor may ask again at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00", ErrorMessage = "AccessRequests:DeniedRequestCooldown must be 0 to 90 days.")]
    public TimeSpan DeniedRequestCooldown { get; set; } = TimeSpan.FromDays(3);
}
