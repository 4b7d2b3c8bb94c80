using EhrShare.Core.Common;
using EhrShare.Core.Notifications;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>Every approved user's notifications (newest first, unread marked), and which kinds also come by email.</summary>
[Authorize]
[RequireApproved]
public sealed class NotificationsController(NotificationInbox inbox) : EhrController
{
    [HttpGet]
    public async Task<IActionResult> Index(int page = 1, CancellationToken cancellationToken = default) =>
        View(await inbox.ListAsync(CurrentUserId, page, cancellationToken));

    /// <summary>Marks the notification read and goes to its page.</summary>
    [HttpPost("Notifications/{id:long}/Open")]
    public async Task<IActionResult> Open(long id, CancellationToken cancellationToken)
    {
        var link = await inbox.OpenAsync(CurrentUserId, id, cancellationToken);
        return Url.IsLocalUrl(link) ? LocalRedirect(link) : RedirectToAction(nameof(Index));
    }

    [HttpPost]
    public Task<IActionResult> ReadAll(CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var count = await inbox.MarkAllReadAsync(CurrentUserId, cancellationToken);
            return count == 0 ? "Nothing was unread." : $"{count} notification{(count == 1 ? " is" : "s are")} marked as read.";
        }, () => RedirectToAction(nameof(Index)));

    [HttpGet]
    public async Task<IActionResult> Settings(CancellationToken cancellationToken) =>
        View(new NotificationSettingsModel(await inbox.MailSettingsAsync(CurrentUserId, Role, cancellationToken), inbox.MailAvailable));

    [HttpPost]
    [ActionName("Settings")]
    public async Task<IActionResult> SaveSettings(List<string>? mail, CancellationToken cancellationToken)
    {
        var kinds = new List<NotificationKind>();
        foreach (var name in mail ?? [])
        {
            if (!Enum.TryParse<NotificationKind>(name, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
            {
                TempData["Error"] = "Choose among the kinds listed; nothing was changed.";
                return RedirectToAction(nameof(Settings));
            }

            kinds.Add(kind);
        }

        return await PostRedirectGetAsync(async () =>
        {
            await inbox.SaveMailSettingsAsync(CurrentUserId, Role, kinds, cancellationToken);
            return "Your email settings are saved.";
        }, () => RedirectToAction(nameof(Settings)));
    }

    private string Role =>
        User.IsInRole(Roles.Admin) ? Roles.Admin
        : User.IsInRole(Roles.Doctor) ? Roles.Doctor
        : User.IsInRole(Roles.Patient) ? Roles.Patient
        : throw new ForbiddenException("Your account has no role with notifications.");
}

public sealed record NotificationSettingsModel(IReadOnlyList<MailSetting> Settings, bool MailAvailable);
