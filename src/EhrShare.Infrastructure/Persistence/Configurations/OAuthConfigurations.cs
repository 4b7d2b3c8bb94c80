using EhrShare.Infrastructure.OAuth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EhrShare.Infrastructure.Persistence.Configurations;

internal sealed class OAuthApplicationConfiguration : IEntityTypeConfiguration<OAuthApplication>
{
    public void Configure(EntityTypeBuilder<OAuthApplication> application)
    {
        application.ToTable("OAuthApplications");
        application.HasKey(a => a.Id);
        application.Property(a => a.Id).HasMaxLength(64);
        application.Property(a => a.ClientId).HasMaxLength(100);
        application.HasIndex(a => a.ClientId).IsUnique();
        application.Property(a => a.ApplicationType).HasMaxLength(50);
        application.Property(a => a.ClientType).HasMaxLength(50);
        application.Property(a => a.ConsentType).HasMaxLength(50);
        application.Property(a => a.DisplayName).HasMaxLength(200);
        application.Property(a => a.ConcurrencyToken).HasMaxLength(64).IsConcurrencyToken();
    }
}

internal sealed class OAuthAuthorizationConfiguration : IEntityTypeConfiguration<OAuthAuthorization>
{
    public void Configure(EntityTypeBuilder<OAuthAuthorization> authorization)
    {
        authorization.ToTable("OAuthAuthorizations");
        authorization.HasKey(a => a.Id);
        authorization.Property(a => a.Id).HasMaxLength(64);
        authorization.Property(a => a.ApplicationId).HasMaxLength(64);
        authorization.Property(a => a.Subject).HasMaxLength(400);
        authorization.Property(a => a.Status).HasMaxLength(50);
        authorization.Property(a => a.Type).HasMaxLength(50);
        authorization.Property(a => a.ConcurrencyToken).HasMaxLength(64).IsConcurrencyToken();
        authorization.HasIndex(a => new { a.ApplicationId, a.Status, a.Subject, a.Type });
        authorization.HasOne<OAuthApplication>().WithMany().HasForeignKey(a => a.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OAuthScopeConfiguration : IEntityTypeConfiguration<OAuthScope>
{
    public void Configure(EntityTypeBuilder<OAuthScope> scope)
    {
        scope.ToTable("OAuthScopes");
        scope.HasKey(s => s.Id);
        scope.Property(s => s.Id).HasMaxLength(64);
        scope.Property(s => s.Name).HasMaxLength(200);
        scope.HasIndex(s => s.Name).IsUnique();
        scope.Property(s => s.ConcurrencyToken).HasMaxLength(64).IsConcurrencyToken();
    }
}

internal sealed class OAuthTokenConfiguration : IEntityTypeConfiguration<OAuthToken>
{
    public void Configure(EntityTypeBuilder<OAuthToken> token)
    {
        token.ToTable("OAuthTokens");
        token.HasKey(t => t.Id);
        token.Property(t => t.Id).HasMaxLength(64);
        token.Property(t => t.ApplicationId).HasMaxLength(64);
        token.Property(t => t.AuthorizationId).HasMaxLength(64);
        token.Property(t => t.ReferenceId).HasMaxLength(100);
        token.HasIndex(t => t.ReferenceId).IsUnique();
        token.Property(t => t.Subject).HasMaxLength(400);
        token.Property(t => t.Status).HasMaxLength(50);
        token.Property(t => t.Type).HasMaxLength(150);
        token.Property(t => t.ConcurrencyToken).HasMaxLength(64).IsConcurrencyToken();
        token.HasIndex(t => new { t.ApplicationId, t.Status, t.Subject, t.Type });
        token.HasOne<OAuthApplication>().WithMany().HasForeignKey(t => t.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        token.HasOne<OAuthAuthorization>().WithMany().HasForeignKey(t => t.AuthorizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OAuthServerKeyConfiguration : IEntityTypeConfiguration<OAuthServerKey>
{
    public void Configure(EntityTypeBuilder<OAuthServerKey> key)
    {
        // OAuthServerKeys writes these rows with INSERT IGNORE under these names.
        key.ToTable("OAuthServerKeys");
        key.HasKey(k => k.Purpose);
        key.Property(k => k.Purpose).HasMaxLength(20);
        key.Property(k => k.ProtectedKey).IsRequired();
    }
}

internal sealed class GatewayDeviceConfiguration : IEntityTypeConfiguration<GatewayDevice>
{
    public void Configure(EntityTypeBuilder<GatewayDevice> device)
    {
        device.ToTable("GatewayDevices");
        device.HasKey(d => d.Id);
        device.Property(d => d.PatientUserId).HasMaxLength(255).IsRequired();
        device.Property(d => d.Name).HasMaxLength(GatewayDevices.MaxNameLength).IsRequired();
        device.Property(d => d.ClientId).HasMaxLength(100).IsRequired();
        device.HasIndex(d => d.ClientId).IsUnique();
        device.HasIndex(d => d.PatientUserId);
        device.HasOne<EhrShare.Core.Users.ApplicationUser>().WithMany().HasForeignKey(d => d.PatientUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
