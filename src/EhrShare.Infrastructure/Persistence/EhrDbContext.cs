using EhrShare.Core.Access;
using EhrShare.Core.Areas;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.OAuth;
using EhrShare.Infrastructure.ShareNodes;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// The app database: users (ASP.NET Core Identity), the Data Protection key ring and EhrShare's own tables.
/// Record keys and shares are never stored here.
/// </summary>
public class EhrDbContext(DbContextOptions<EhrDbContext> options)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext, IEhrDbContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Area> Areas => Set<Area>();

    public DbSet<PatientProfile> Patients => Set<PatientProfile>();

    public DbSet<DoctorProfile> Doctors => Set<DoctorProfile>();

    public DbSet<ChainAccount> ChainAccounts => Set<ChainAccount>();

    public DbSet<MedicalRecord> Records => Set<MedicalRecord>();

    public DbSet<AccessLogEntry> AccessLog => Set<AccessLogEntry>();

    public DbSet<EmergencyDeclaration> Emergencies => Set<EmergencyDeclaration>();

    public DbSet<AccessRequest> AccessRequests => Set<AccessRequest>();

    public DbSet<DoctorBlock> DoctorBlocks => Set<DoctorBlock>();

    public DbSet<RequestReport> RequestReports => Set<RequestReport>();

    public DbSet<GrantScope> GrantScopes => Set<GrantScope>();

    public DbSet<IndexedChainEvent> ChainEvents => Set<IndexedChainEvent>();

    public DbSet<ChainIndexState> ChainIndex => Set<ChainIndexState>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<NotificationMailOptOut> NotificationMailOptOuts => Set<NotificationMailOptOut>();

    /// <summary>The chain index's checkpoints, where a reorganisation is looked for.</summary>
    public DbSet<ChainIndexCheckpoint> ChainIndexCheckpoints => Set<ChainIndexCheckpoint>();

    /// <summary>The share nodes' problem counts, shared by every app instance (<see cref="ShareNodeReports"/>).</summary>
    public DbSet<ShareNodeProblemCount> ShareNodeProblems => Set<ShareNodeProblemCount>();

    /// <summary>Completed share scans; the newest is the monitor's last scan.</summary>
    public DbSet<ShareScanResult> ShareScans => Set<ShareScanResult>();

    /// <summary>Refreshes of all records' shares; the newest is the one the monitor shows.</summary>
    public DbSet<ShareRefreshRun> ShareRefreshRuns => Set<ShareRefreshRun>();

    /// <summary>OAuth clients, consents, issued tokens' entries and extra scopes (OpenIddict's stores; docs/decisions/openiddict-with-own-stores.md).</summary>
    public DbSet<OAuthApplication> OAuthApplications => Set<OAuthApplication>();

    public DbSet<OAuthAuthorization> OAuthAuthorizations => Set<OAuthAuthorization>();

    public DbSet<OAuthScope> OAuthScopes => Set<OAuthScope>();

    public DbSet<OAuthToken> OAuthTokens => Set<OAuthToken>();

    /// <summary>The authorization server's signing and encryption keys, protected with Data Protection.</summary>
    public DbSet<OAuthServerKey> OAuthServerKeys => Set<OAuthServerKey>();

    /// <summary>Patients' gateway devices (OAuth clients that may only add Observations).</summary>
    public DbSet<GatewayDevice> GatewayDevices => Set<GatewayDevice>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(EhrDbContext).Assembly);
        builder.Entity<DataProtectionKey>(key => key.Property(k => k.FriendlyName).HasMaxLength(200));
    }
}
