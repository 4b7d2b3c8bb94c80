using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Mail;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Notifications;

public sealed record NotificationPage(IReadOnlyList<Notification> Items, int Page, bool HasMore, int Unread);

public sealed record MailSetting(NotificationKind Kind, string Title, bool On);

/// <summary>A user's notifications: the list, the unread count for the navbar, marking read; and which kinds come by email.</summary>
public sealed class NotificationInbox(IEhrDbContext db, IMailQueue mail, TimeProvider clock)
{
    public const int PageSize = 30;

    public async Task<NotificationPage> ListAsync(string userId, int page, CancellationToken cancellationToken)
    {
        page = Math.Max(page, 1);
        var rows = await db.Notifications.AsNoTracking().Where(n => n.UserId == userId)
            .OrderByDescending(n => n.Id).Skip((page - 1) * PageSize).Take(PageSize + 1).ToListAsync(cancellationToken);
        return new NotificationPage(rows.Take(PageSize).ToList(), page, rows.Count > PageSize, await UnreadCountAsync(userId, cancellationToken));
    }

    public Task<int> UnreadCountAsync(string userId, CancellationToken cancellationToken) =>
        db.Notifications.AsNoTracking().CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);

    /// <summary>Marks one of the user's notifications read and returns its link; another user's is not found.</summary>
    public async Task<string> OpenAsync(string userId, long id, CancellationToken cancellationToken)
    {
        var row = await db.Notifications.FirstOrDefaultAsync(n => n.Id == id && n.UserId == userId, cancellationToken)
            ?? throw new NotFoundException("This notification does not exist.");
        if (row.ReadAt is null)
        {
            row.ReadAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }

        return row.Link;
    }

    public async Task<int> MarkAllReadAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, now), cancellationToken);
    }

    /// <summary>Whether mail can be sent at all (SMTP configured): the settings page says so when it cannot.</summary>
    public bool MailAvailable => mail.Enabled;

    public async Task<IReadOnlyList<MailSetting>> MailSettingsAsync(string userId, string role, CancellationToken cancellationToken)
    {
        var off = await db.NotificationMailOptOuts.AsNoTracking().Where(o => o.UserId == userId).Select(o => o.Kind).ToListAsync(cancellationToken);
        return NotificationKinds.For(role).Select(k => new MailSetting(k, NotificationKinds.Title(k), !off.Contains(k))).ToList();
    }

    /// <summary>Mail for the kinds in <paramref name="on"/>, none for the role's other kinds; a kind not of the role is refused.</summary>
    public async Task SaveMailSettingsAsync(string userId, string role, IReadOnlyCollection<NotificationKind> on, CancellationToken cancellationToken)
    {
        var kinds = NotificationKinds.For(role);
        if (on.Any(k => !kinds.Contains(k)))
        {
            throw new ValidationFailedException("Choose among the kinds listed.", "Kinds");
        }

        // Only the rows that change, each by its key: a range delete before the inserts took gap locks that deadlocked
        // with another user saving theirs at the same moment (InnoDB next-key locking).
        var off = kinds.Where(k => !on.Contains(k)).ToHashSet();
        var stored = await db.NotificationMailOptOuts.Where(o => o.UserId == userId).ToListAsync(cancellationToken);
        db.NotificationMailOptOuts.RemoveRange(stored.Where(o => !off.Contains(o.Kind)));
        db.NotificationMailOptOuts.AddRange(off.Where(k => stored.All(o => o.Kind != k)).Select(k => new NotificationMailOptOut { UserId = userId, Kind = k }));
        await db.SaveChangesAsync(cancellationToken);
    }
}
