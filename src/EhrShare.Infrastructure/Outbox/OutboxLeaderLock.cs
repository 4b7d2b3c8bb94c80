using EhrShare.Core.Data;
using EhrShare.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// Only one app instance sends the access log: it holds a <see cref="NamedLock"/> (per database) for as long as it
/// dispatches. The lock goes with its connection, so an instance that dies releases it and another takes over at its
/// next scan. Without this, two instances would send the same pending entry twice, and both would send from the same
/// accounts with clashing nonces.
/// </summary>
internal sealed class OutboxLeaderLock(ILogger logger) : IAsyncDisposable
{
    private const string LockName = "ehrshare.outbox";

    private NamedLock? _held;
    private bool _notMySql;
    private bool _reportedWaiting;

    /// <summary>True while this instance holds the lock (taking it if free).</summary>
    public async Task<bool> HoldAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        if (_notMySql)
        {
            return true;
        }

        if (_held is { } held)
        {
            if (await held.StillHeldAsync(cancellationToken))
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
            connectionString = NamedLock.ConnectionStringFor(database);
            if (connectionString is null)
            {
                logger.LogWarning("The app database is not MySQL/MariaDB ({Provider}); the outbox runs without its single-instance lock", database.ProviderName);
                _notMySql = true;
                return true;
            }
        }

        if (await NamedLock.TryTakeAsync(connectionString, LockName, TimeSpan.Zero, cancellationToken) is { } taken)
        {
            _held = taken;
            _reportedWaiting = false;
            logger.LogInformation("This instance sends the access log to the chain (it holds the outbox lock)");
            return true;
        }

        if (!_reportedWaiting)
        {
            logger.LogInformation("Another app instance sends the access log (it holds the outbox lock); this one stands by");
            _reportedWaiting = true;
        }

        return false;
    }

    public ValueTask DisposeAsync() => DropAsync();

    private async ValueTask DropAsync()
    {
        if (_held is { } held)
        {
            _held = null;
            await held.DisposeAsync();
        }
    }
}
