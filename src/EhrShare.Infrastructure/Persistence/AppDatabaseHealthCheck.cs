using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>The app database answers and its schema is up to date with the migrations in this build.</summary>
internal sealed class AppDatabaseHealthCheck(EhrDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("reachable, schema up to date")
                : HealthCheckResult.Unhealthy($"reachable, but {pending.Count} migration(s) not applied: run the app's 'migrate' command");
        }
        catch (MySqlException e)
        {
            return HealthCheckResult.Unhealthy($"unreachable: {e.Message}");
        }
        catch (InvalidOperationException e) when (e.InnerException is MySqlException inner)
        {
            return HealthCheckResult.Unhealthy($"unreachable: {inner.Message}");
        }
    }
}
