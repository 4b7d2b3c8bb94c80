using System.Data;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// Only one app instance sends the access log: it holds a MariaDB/MySQL named lock (<c>GET_LOCK</c>, per database) on a
/// connection of its own for as long as it dispatches. The lock goes with the connection, so an instance that dies
/// releases it and another takes over at its next scan. Without this, two instances would send the same pending entry
/// twice, and both would send from the same accounts with clashing nonces.
/// </summary>
internal sealed class OutboxLeaderLock(ILogger logger) : IAsyncDisposable
{
    private const string LockSql = "SELECT GET_LOCK(LEFT(CONCAT('ehrshare.outbox:', DATABASE()), 64), 0)";

    private MySqlConnection? _connection;
    private bool _notMySql;
    private bool _reportedWaiting;

    /// <summary>True while this instance holds the lock (taking it if free).</summary>
    public async Task<bool> HoldAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        if (_notMySql)
        {
            return true;
        }

        if (_connection is { State: ConnectionState.Open } held)
        {
            if (await PingAsync(held, cancellationToken))
            {
                return true;
            }

            logger.LogWarning("The access-log outbox lost its database lock connection; taking the lock again");
            await DropAsync();
        }

        string? connectionString;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var database = scope.ServiceProvider.GetRequiredService<IEhrDbContext>().Database;
            if (database.ProviderName?.Contains("MySql", StringComparison.OrdinalIgnoreCase) != true)
            {
                logger.LogWarning("The app database is not MySQL/MariaDB ({Provider}); the outbox runs without its single-instance lock", database.ProviderName);
                _notMySql = true;
                return true;
            }

            // Not pooled: the lock belongs to the session, so closing this connection must end the session (the app's
            // pooled connections are not reset when reused).
            connectionString = new MySqlConnectionStringBuilder(database.GetConnectionString() ?? "") { Pooling = false }.ConnectionString;
        }

        var connection = new MySqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand(LockSql, connection);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                _connection = connection;
                _reportedWaiting = false;
                logger.LogInformation("This instance sends the access log to the chain (it holds the outbox lock)");
                return true;
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        if (!_reportedWaiting)
        {
            logger.LogInformation("Another app instance sends the access log (it holds the outbox lock); this one stands by");
            _reportedWaiting = true;
        }

        return false;
    }

    public ValueTask DisposeAsync() => DropAsync();

    private static async Task<bool> PingAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.PingAsync(cancellationToken);
        }
        catch (MySqlException)
        {
            return false;
        }
    }

    private async ValueTask DropAsync()
    {
        if (_connection is { } c)
        {
            _connection = null;
            await c.DisposeAsync();
        }
    }
}
