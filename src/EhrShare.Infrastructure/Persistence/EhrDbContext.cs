using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// The app database: users (ASP.NET Core Identity), the Data Protection key ring and EhrShare's own tables.
/// Record keys and shares are never stored here.
/// </summary>
public class EhrDbContext(DbContextOptions<EhrDbContext> options)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.Property(u => u.Status).HasConversion<string>().HasMaxLength(16);
        });
        builder.Entity<DataProtectionKey>(key =>
        {
            key.Property(k => k.FriendlyName).HasMaxLength(200);
        });
    }
}
