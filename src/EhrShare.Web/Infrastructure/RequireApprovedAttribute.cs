using EhrShare.Core.Users;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// Only approved accounts get past this: a pending or rejected user is sent to the page that says so. The status is
/// read from the database on every request, so an approval or a rejection takes effect at once.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RequireApprovedAttribute : TypeFilterAttribute
{
    public RequireApprovedAttribute()
        : base(typeof(RequireApprovedFilter))
    {
    }

    private sealed class RequireApprovedFilter(CurrentUser current) : IAsyncAuthorizationFilter
    {
        public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
        {
            if (context.HttpContext.User.Identity?.IsAuthenticated != true)
            {
                return; // [Authorize] challenges.
            }

            var user = await current.GetAsync();
            if (user is null)
            {
                context.Result = new ChallengeResult();
            }
            else if (user.Status != UserStatus.Approved)
            {
                context.Result = new RedirectToActionResult("Pending", "Account", null);
            }
            else
            {
                context.HttpContext.Items[typeof(ApplicationUser)] = user;
            }
        }
    }
}
