using Microsoft.AspNetCore.Identity;

namespace EhrShare.Core.Users;

/// <summary>An Identity user with the fields EhrShare needs for approval.</summary>
public class ApplicationUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    public UserStatus Status { get; set; } = UserStatus.Pending;

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
