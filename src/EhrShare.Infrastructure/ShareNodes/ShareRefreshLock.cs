using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// One refresh of all records at a time across app instances and <c>shares refresh</c>: a MariaDB/MySQL named lock
/// (<c>GET_LOCK</c>, per app database) held on a connection of its own for as long as the holder refreshes. The lock
/// goes with the connection, so a process that dies releases it and another takes the run over where its progress was
/// saved. Two refreshes of one record at once could each write "the next generation" with different polynomials.
/// </summary>
internal sealed class ShareRefreshLock : IAsyncDisposable
{
    private const string LockSql = "SELECT GET_LOCK(LEFT(CONCAT('ehrshare.share-refresh:', DATABASE()), 64), 0)";

    private readonly MySqlConnection _connection;

    private ShareRefreshLock(MySqlConnection connection) => _connection = connection;

    /// <summary>The lock, or null when another process holds it.</summary>
    public static async Task<ShareRefreshLock?> TryTakeAsync(EhrDbContext db, CancellationToken cancellationToken)
    {
        // Not pooled: the lock belongs to the session, so disposing this connection must end the session.
        var connectionString = new MySqlConnectionStringBuilder(db.Database.GetConnectionString() ?? "") { Pooling = false }.ConnectionString;
        var connection = new MySqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand(LockSql, connection);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                return new ShareRefreshLock(connection);
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
        try
        {
            return await _connection.PingAsync(cancellationToken);
        }
        catch (MySqlException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
