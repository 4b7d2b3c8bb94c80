using EhrShare.Core.Access;
using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Notifications;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Core;

public static class CoreModule
{
    /// <summary>The use cases. Each is a small scoped class with one operation.</summary>
    public static IHostApplicationBuilder AddEhrCore(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OperationLatencies>();
        builder.Services.AddScoped<RegisterPatient>();
        builder.Services.AddScoped<RegisterDoctor>();
        builder.Services.AddScoped<AreaManagement>();
        builder.Services.AddScoped<ApproveUser>();
        builder.Services.AddScoped<RejectUser>();
        builder.Services.AddScoped<UserAdministration>();
        builder.Services.AddOptions<AccessRequestOptions>()
            .BindConfiguration(AccessRequestOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<AccountOptions>()
            .BindConfiguration(AccountOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<UserSessions>();
        builder.Services.AddScoped<ChangePassword>();
        builder.Services.AddScoped<PasswordReset>();
        builder.Services.AddSingleton<TwoFactorPolicy>();
        builder.Services.AddScoped<TwoFactorSettings>();
        builder.Services.AddScoped<PeopleDirectory>();
        builder.Services.AddScoped<PatientLookup>();
        builder.Services.AddScoped<RequestAccess>();
        builder.Services.AddScoped<GrantAccess>();
        builder.Services.AddScoped<ChangeGrant>();
        builder.Services.AddScoped<RefuseAccess>();
        builder.Services.AddScoped<DeclareEmergency>();
        builder.Services.AddScoped<PatientAccessList>();
        builder.Services.AddScoped<DoctorAccessList>();
        builder.Services.AddScoped<SharedRecords>();
        builder.Services.AddScoped<RequestModeration>();
        builder.Services.AddScoped<ReadDoctorStanding>();
        builder.Services.AddOptions<ChainIndexOptions>()
            .BindConfiguration(ChainIndexOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<ChainEventWindows>();
        builder.Services.AddScoped<AccessHistory>();
        builder.Services.AddScoped<EmergencyReview>();
        builder.Services.AddOptions<EmergencyOptions>()
            .BindConfiguration(EmergencyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddScoped<NotificationInbox>();
        builder.Services.AddScoped<AccessNotices>();
        builder.Services.AddScoped<GrantExpiryCheck>();
        builder.Services.AddOptions<NotificationOptions>()
            .BindConfiguration(NotificationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<RecordOptions>()
            .BindConfiguration(RecordOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<RecordParties>();
        builder.Services.AddScoped<AccessGate>();
        builder.Services.AddScoped<RecordCleanup>();
        builder.Services.AddScoped<UploadRecord>();
        builder.Services.AddScoped<ReadRecord>();
        builder.Services.AddScoped<ListRecords>();
        builder.Services.AddScoped<ChangeRecordCategory>();
        builder.Services.AddScoped<Observations.ReadObservations>();
        builder.Services.AddScoped<RemoveRecord>();
        builder.Services.AddScoped<ReconcileRecords>();
        return builder;
    }
}
