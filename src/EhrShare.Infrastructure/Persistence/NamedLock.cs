using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MySqlConnector;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// A MariaDB/MySQL named lock (<c>GET_LOCK</c>) that app instances and the CLI take to do one thing at a time: held on
/// a connection of its own for as long as the holder works, and released when it is disposed. The lock goes with the
/// connection's session, so a process that dies releases it and another can take it. The name is qualified by the app
/// database's name, so that stacks sharing one server do not wait on each other.
/// </summary>
internal sealed class NamedLock : IAsyncDisposable
{
    // GET_LOCK names are limited to 64 characters.
    private const string LockSql = "SELECT GET_LOCK(LEFT(CONCAT(@name, ':', DATABASE()), 64), @wait)";

    private readonly MySqlConnection _connection;

    private NamedLock(MySqlConnection connection) => _connection = connection;

    /// <summary>
    /// The connection string a lock of <paramref name="database"/> is taken on, or null when the app database is not
    /// MySQL/MariaDB (there are no named locks to take).
    /// </summary>
    public static string? ConnectionStringFor(DatabaseFacade database) =>
        database.ProviderName?.Contains("MySql", StringComparison.OrdinalIgnoreCase) == true
            // Not pooled: the lock belongs to the session, so disposing the connection must end the session (the app's
            // pooled connections are not reset when reused).
            ? new MySqlConnectionStringBuilder(database.GetConnectionString() ?? "") { Pooling = false }.ConnectionString
            : null;

    /// <summary>
    /// Takes the lock <paramref name="name"/>, waiting up to <paramref name="wait"/> for its holder (zero: not at all);
    /// null when another session holds it.
    /// </summary>
    public static async Task<NamedLock?> TryTakeAsync(string connectionString, string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand(LockSql, connection);
            command.Parameters.AddWithValue("@name", name);
            command.Parameters.AddWithValue("@wait", (int)Math.Ceiling(wait.TotalSeconds));
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, CultureInfo.InvariantCulture) == 1)
            {
                return new NamedLock(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>False once the lock's connection is gone (the server restarted, the network dropped): stop, since
    /// another process may hold the lock by now.</summary>
    public async Task<bool> StillHeldAsync(CancellationToken cancellationToken)
    {
        if (_connection.State != ConnectionState.Open)
        {
            return false;
        }

        try
        {
            return await _connection.PingAsync(cancellationToken);
        }
        catch (MySqlException)
        {
            return false;
        }
    }

    /// <summary>Ends the session, which releases the lock.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
