using EhrShare.Core.Access;
using EhrShare.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Outbox;

public static class OutboxModule
{
    /// <summary>
    /// The access-log outbox dispatcher (a hosted service) with its options (section <c>Outbox</c>, validated at start)
    /// and the Core's <see cref="IAccessLogSignal"/> (<see cref="AccessLogSignal"/>); saving an access-log entry through
    /// the app's DbContext wakes it by itself too. Needs <c>AddPersistence</c> and <c>AddChain</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAccessLogOutbox(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AccessLogSignal>();
        services.AddSingleton<IAccessLogSignal>(sp => sp.GetRequiredService<AccessLogSignal>());
        services.AddSingleton<AccessLogSavedInterceptor>();
        services.ConfigureDbContext<EhrDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<AccessLogSavedInterceptor>()));
        services.AddScoped<AccessLogDelivery>();
        services.AddHostedService<AccessLogDispatcher>();
        return builder;
    }
}
