using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace EhrShare.Web.Infrastructure;

/// <summary>The signed-in user, loaded once per request (the layout and filters share it).</summary>
public sealed class CurrentUser(IHttpContextAccessor http, UserManager<ApplicationUser> users)
{
    private Task<ApplicationUser?>? _user;

    public Task<ApplicationUser?> GetAsync()
    {
        var principal = http.HttpContext?.User;
        return _user ??= principal?.Identity?.IsAuthenticated == true
            ? users.GetUserAsync(principal)
            : Task.FromResult<ApplicationUser?>(null);
    }

    public async Task<bool> IsApprovedAsync() => (await GetAsync())?.Status == UserStatus.Approved;
}
