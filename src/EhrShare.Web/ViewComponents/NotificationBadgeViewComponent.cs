using EhrShare.Core.Notifications;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.ViewComponents;

/// <summary>The navbar's Notifications entry with the unread count (one indexed count per page).</summary>
public sealed class NotificationBadgeViewComponent(CurrentUser current, NotificationInbox inbox) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(bool isCurrent)
    {
        var user = await current.GetAsync();
        if (user is null)
        {
            return Content(string.Empty);
        }

        return View(new NotificationBadgeModel(await inbox.UnreadCountAsync(user.Id, HttpContext.RequestAborted), isCurrent));
    }
}

public sealed record NotificationBadgeModel(int Unread, bool IsCurrent);
