using EhrShare.Core.Access;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace EhrShare.Web.ViewComponents;

/// <summary>
/// On every page of a suspended doctor: a banner that says so, and why (the cause from the contract's last
/// AccountSuspended event: the manager, or repeated refusals). The chain's answer is cached briefly.
/// </summary>
public sealed class DoctorStandingViewComponent(CurrentUser current, ReadDoctorStanding read, IMemoryCache cache) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        var user = await current.GetAsync();
        if (user is null)
        {
            return Content(string.Empty);
        }

        var standing = await cache.GetOrCreateAsync("doctor-standing:" + user.Id, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(3);
            return await read.ForUserAsync(user.Id, HttpContext.RequestAborted);
        });
        return standing is { Account.Suspended: true } ? View(standing) : Content(string.Empty);
    }
}
