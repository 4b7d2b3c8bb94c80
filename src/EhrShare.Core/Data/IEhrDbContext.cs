using EhrShare.Core.Access;
using EhrShare.Core.Areas;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Notifications;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace EhrShare.Core.Data;

/// <summary>
/// The app database as the use cases see it: they query and save through these sets directly (no repositories).
/// Implemented by the EF Core context in Infrastructure.
/// </summary>
public interface IEhrDbContext
{
    DbSet<ApplicationUser> Users { get; }

    /// <summary>Identity's user tokens; the open sessions are kept here (<see cref="Accounts.UserSessions"/>).</summary>
    DbSet<IdentityUserToken<string>> UserTokens { get; }

    DbSet<Area> Areas { get; }

    DbSet<PatientProfile> Patients { get; }

    DbSet<DoctorProfile> Doctors { get; }

    DbSet<ChainAccount> ChainAccounts { get; }

    DbSet<MedicalRecord> Records { get; }

    DbSet<AccessLogEntry> AccessLog { get; }

    DbSet<EmergencyDeclaration> Emergencies { get; }

    DbSet<AccessRequest> AccessRequests { get; }

    DbSet<DoctorBlock> DoctorBlocks { get; }

    DbSet<RequestReport> RequestReports { get; }

    /// <summary>The records each grant covers when the patient chose some (<see cref="GrantScope"/>).</summary>
    DbSet<GrantScope> GrantScopes { get; }

    /// <summary>The chain index: the contract's events, written by the indexer only.</summary>
    DbSet<IndexedChainEvent> ChainEvents { get; }

    /// <summary>The chain index's cursor (one row).</summary>
    DbSet<ChainIndexState> ChainIndex { get; }

    /// <summary>Users' in-app notifications (<see cref="Notifier"/>).</summary>
    DbSet<Notification> Notifications { get; }

    /// <summary>The notification kinds each user turned off for email.</summary>
    DbSet<NotificationMailOptOut> NotificationMailOptOuts { get; }

    /// <summary>For transactions that span several saves (e.g. an Identity user and its profile).</summary>
    DatabaseFacade Database { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}
