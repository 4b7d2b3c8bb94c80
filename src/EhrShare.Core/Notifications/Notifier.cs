using EhrShare.Core.Data;
using EhrShare.Core.Mail;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Notifications;

/// <summary>
/// Tells users what happened: a row in their notifications, and an email when SMTP is configured and the user did
/// not turn the kind off. Called at the end of the use case that decided the event (after its transaction is
/// confirmed), or by the background part that is the one place that sees it (docs/decisions/notification-sources.md).
/// The event has already happened when this runs: a failure here is logged and never undoes or fails it. Each call
/// uses a scope of its own, so the caller's unit of work is not touched. A singleton.
/// </summary>
public sealed class Notifier(IServiceScopeFactory scopes, IMailQueue mail, TimeProvider clock, ILogger<Notifier> logger)
{
    public const int TextLength = 500;

    /// <summary>Notifies one user; with <paramref name="onceKey"/>, only the first call for that user and key adds anything.</summary>
    public Task ToUserAsync(string userId, NotificationKind kind, string text, string link, string? onceKey = null) =>
        SafelyAsync(kind, async services => await AddAsync(services, [userId], kind, text, link, onceKey));

    /// <summary>Notifies every EHR manager (the users in the admin role).</summary>
    public Task ToManagersAsync(NotificationKind kind, string text, string link, string? onceKey = null) =>
        SafelyAsync(kind, async services =>
        {
            var managers = await services.GetRequiredService<UserManager<ApplicationUser>>().GetUsersInRoleAsync(Roles.Admin);
            await AddAsync(services, managers.Where(m => m.Status == UserStatus.Approved).Select(m => m.Id).ToList(), kind, text, link, onceKey);
        });

    private async Task SafelyAsync(NotificationKind kind, Func<IServiceProvider, Task> work)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work(scope.ServiceProvider);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A {Kind} notification could not be stored; the event itself stands", kind);
        }
    }

    private async Task AddAsync(IServiceProvider services, IReadOnlyList<string> userIds, NotificationKind kind, string text, string link, string? onceKey)
    {
        var db = services.GetRequiredService<IEhrDbContext>();
        text = text.Length <= TextLength ? text : text[..(TextLength - 1)] + "…";
        foreach (var userId in userIds)
        {
            if (onceKey is not null
                && await db.Notifications.AsNoTracking().AnyAsync(n => n.UserId == userId && n.OnceKey == onceKey, CancellationToken.None))
            {
                continue;
            }

            var row = new Notification { UserId = userId, Kind = kind, Text = text, Link = link, CreatedAt = clock.GetUtcNow(), OnceKey = onceKey };
            db.Notifications.Add(row);
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateException) when (onceKey is not null)
            {
                // Another instance (or check) stored the same key meanwhile: it is told once.
                db.Notifications.Entry(row).State = EntityState.Detached;
                continue;
            }

            await MailAsync(db, userId, kind);
        }
    }

    private async Task MailAsync(IEhrDbContext db, string userId, NotificationKind kind)
    {
        if (!mail.Enabled)
        {
            return;
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Email, u.Status }).FirstOrDefaultAsync(CancellationToken.None);
        if (user?.Email is not { Length: > 0 } email || user.Status != UserStatus.Approved
            || await db.NotificationMailOptOuts.AsNoTracking().AnyAsync(o => o.UserId == userId && o.Kind == kind, CancellationToken.None))
        {
            return;
        }

        var notifications = new Uri(mail.LinkBase, "Notifications");
        var settings = new Uri(mail.LinkBase, "Notifications/Settings");
        var body = $"""
            {NotificationKinds.MailSentence(kind)}

            Sign in to see it: {notifications}

            You get this email because it is turned on in your notification settings. To turn it off: {settings}

            EhrShare
            """;
        await mail.EnqueueAsync(new OutgoingMail(email, "EhrShare: " + NotificationKinds.Title(kind), body), CancellationToken.None);
    }
}
