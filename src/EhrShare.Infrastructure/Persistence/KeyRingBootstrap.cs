using System.Security.Cryptography;
using EhrShare.Core.Data;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// Makes sure the shared Data Protection key ring has a key before this instance protects anything, creating it under a
/// database lock so that instances starting together agree on one key.
/// </summary>
/// <remarks>
/// Data Protection creates its first key on first use, in each instance that finds the ring empty. Instances that
/// start together against a new database each create their own key and protect with it; another instance reloads the
/// ring when it meets an unknown key only in its first minutes, and after that not before its 24-hour refresh. A user's
/// chain key protected by one instance then could not be opened by the one that sends the access log (seen in the
/// test suite, where several app hosts start at once). Later keys are not affected: Data Protection makes them days
/// before they take effect, so every instance has loaded them by then. See docs/decisions/data-protection-first-key.md.
/// </remarks>
internal sealed class KeyRingBootstrap(
    IServiceScopeFactory scopes,
    IKeyManager keyManager,
    IOptions<KeyManagementOptions> keyManagement,
    ILogger<KeyRingBootstrap> logger) : IHostedService
{
    private const string LockName = "ehrshare.keyring";
    private const int ErNoSuchTable = 1146;

    /// <summary>How long an instance waits for another that is creating the first key.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string? connectionString;
        await using (var scope = scopes.CreateAsyncScope())
        {
            connectionString = NamedLock.ConnectionStringFor(scope.ServiceProvider.GetRequiredService<IEhrDbContext>().Database);
            if (connectionString is null)
            {
                EnsureKey();
                return;
            }
        }

        try
        {
            await using var held = await NamedLock.TryTakeAsync(connectionString, LockName, LockWait, cancellationToken)
                ?? throw new InvalidOperationException(
                    $"Another app instance held the Data Protection key-ring lock for more than {LockWait.TotalSeconds:0} s; start this one again.");
            EnsureKey();
        }
        catch (MySqlException ex) when (ex.Number == ErNoSuchTable)
        {
            logger.LogWarning("The app database has no Data Protection key table yet; run 'migrate' (or 'setup') before serving");
        }
        catch (MySqlException ex) when (ex.IsTransient || ex.ErrorCode == MySqlErrorCode.UnableToConnectToHost)
        {
            logger.LogWarning(ex, "The app database is not reachable at start; the Data Protection key ring is checked on first use");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Creates a key effective now when the ring has none in effect now; leaves rotation to Data Protection. Keys in
    /// effect that this instance cannot open mean a KeyEncryptionKey other than the one they were made with: that
    /// fails the start instead of adding a key under the wrong one (users' chain keys would then be out of reach).
    /// </summary>
    internal bool EnsureKey()
    {
        // The wall clock, as Data Protection itself uses (not the app's TimeProvider, which tests may move).
        var now = DateTimeOffset.UtcNow;
        var inEffect = keyManager.GetAllKeys().Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now).ToList();
        if (inEffect.Any(Opens))
        {
            return false;
        }

        if (inEffect.Count > 0)
        {
            throw new InvalidOperationException(
                $"The Data Protection key ring in the app database has {inEffect.Count} key(s) in effect, and none opens with " +
                "DataProtection:KeyEncryptionKey: the setting is not the one those keys were made with. Restore it (users' chain " +
                "keys and record descriptions are protected with that ring).");
        }

        var key = keyManager.CreateNewKey(now, now + keyManagement.Value.NewKeyLifetime);
        logger.LogInformation("Created Data Protection key {KeyId}, effective until {Expiration:u}: the key ring had none in effect", key.KeyId, key.ExpirationDate);
        return true;
    }

    private static bool Opens(IKey key)
    {
        try
        {
            return key.CreateEncryptor() is not null;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
