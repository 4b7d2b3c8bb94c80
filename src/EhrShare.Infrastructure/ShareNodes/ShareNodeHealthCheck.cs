using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>One share node answers with its own credentials and has its shares table.</summary>
internal sealed class ShareNodeHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand("SELECT 1 FROM shares LIMIT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"reachable ({connection.Database})");
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchTable)
        {
            return HealthCheckResult.Unhealthy("reachable, but the shares table is missing: run the app's 'setup' command");
        }
        catch (MySqlException e)
        {
            return HealthCheckResult.Unhealthy($"unreachable: {e.Message}");
        }
    }
}
