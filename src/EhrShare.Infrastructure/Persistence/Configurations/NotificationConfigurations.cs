using EhrShare.Core.Notifications;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Persistence.Configurations;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> notification)
    {
        notification.ToTable("Notifications");
        notification.HasKey(n => n.Id);
        notification.Property(n => n.UserId).HasMaxLength(255).IsRequired();
        notification.Property(n => n.Kind).HasConversion<string>().HasMaxLength(40);
        notification.Property(n => n.Text).HasMaxLength(Notifier.TextLength).IsRequired();
        notification.Property(n => n.Link).HasMaxLength(200).IsRequired();
        notification.Property(n => n.OnceKey).HasMaxLength(200);
        notification.HasOne<ApplicationUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        // The list (newest first) and the navbar's unread count.
        notification.HasIndex(n => new { n.UserId, n.ReadAt });
        // Told once per key (NULLs do not collide).
        notification.HasIndex(n => new { n.UserId, n.OnceKey }).IsUnique();
    }
}

internal sealed class NotificationMailOptOutConfiguration : IEntityTypeConfiguration<NotificationMailOptOut>
{
    public void Configure(EntityTypeBuilder<NotificationMailOptOut> optOut)
    {
        optOut.ToTable("NotificationMailOptOuts");
        optOut.HasKey(o => new { o.UserId, o.Kind });
        optOut.Property(o => o.UserId).HasMaxLength(255);
        optOut.Property(o => o.Kind).HasConversion<string>().HasMaxLength(40);
        optOut.HasOne<ApplicationUser>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
