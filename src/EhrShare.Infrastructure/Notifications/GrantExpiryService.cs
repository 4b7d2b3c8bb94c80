using EhrShare.Core.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Notifications;

/// <summary>Runs <see cref="GrantExpiryCheck"/> every Notifications:ExpiryCheckInterval (it tells each grant's doctor once).</summary>
internal sealed class GrantExpiryService(
    IServiceScopeFactory scopes,
    IOptions<NotificationOptions> options,
    ILogger<GrantExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var told = await scope.ServiceProvider.GetRequiredService<GrantExpiryCheck>().RunAsync(stoppingToken);
                if (told > 0)
                {
                    logger.LogInformation("Told {Count} doctor(s) that a grant ends soon", told);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("The check for grants ending soon failed: {Error}", e.Message);
            }
        }
    }
}

public static class NotificationsModule
{
    /// <summary>The background check for grants ending soon (the other notifications come from the use cases).</summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<GrantExpiryService>();
        return builder;
    }
}
