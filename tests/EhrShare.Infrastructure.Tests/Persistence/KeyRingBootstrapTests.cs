using System.Security.Cryptography;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.Tests.Outbox;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.Tests.Persistence;

/// <summary>
/// Instances of the app share one Data Protection key ring in the app database. These start real hosts (AddPersistence,
/// as the app does) on a new database and look at the keys they leave there.
/// </summary>
public sealed class KeyRingBootstrapTests
{
    private readonly string _keyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task InstancesStartingTogether_OnAnEmptyRing_AgreeOnOneKey_AndOpenWhatEachOtherProtected()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        var hosts = Enumerable.Range(0, 4).Select(_ => Build(database)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => Task.Run(() => h.StartAsync())));
            var payloads = await Task.WhenAll(hosts.Select((h, i) => Task.Run(() => Protector(h).Protect($"secret of instance {i}"))));

            var keys = await KeysAsync(database);
            Assert.True(keys.Count == 1, $"{keys.Count} keys:\n{_logs}");
            foreach (var host in hosts)
            {
                for (var i = 0; i < payloads.Length; i++)
                {
                    Assert.Equal($"secret of instance {i}", Protector(host).Unprotect(payloads[i]));
                }
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    [Fact]
    public async Task ARestart_KeepsTheKeyTheRingHas()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        await StartAndStopAsync(database);
        var before = await KeysAsync(database);

        await StartAndStopAsync(database);

        Assert.Equal(before, await KeysAsync(database));
    }

    [Fact]
    public async Task ARingWhoseKeysAreAllRevoked_GetsANewKeyAtStart_ThatProtects()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        using (var first = Build(database))
        {
            await first.StartAsync();
            first.Services.GetRequiredService<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, "test: every key compromised");
            await first.StopAsync();
        }

        using var second = Build(database);
        await second.StartAsync();
        var keys = second.Services.GetRequiredService<IKeyManager>().GetAllKeys();
        await second.StopAsync();

        Assert.Equal(2, (await KeysAsync(database)).Count);
        Assert.Single(keys, k => !k.IsRevoked && k.ActivationDate <= DateTimeOffset.UtcNow && k.ExpirationDate > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task AnInstanceWithAnotherKeyEncryptionKey_FailsAtStart_NamingTheSetting_AndAddsNoKey()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        await StartAndStopAsync(database);
        var before = await KeysAsync(database);
        using var other = Build(database, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.StartAsync());

        Assert.Contains("DataProtection:KeyEncryptionKey", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await KeysAsync(database));
    }

    private IHost Build(ThrowawayAppDatabase database, string? keyEncryptionKey = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = database.ConnectionString,
            ["DataProtection:KeyEncryptionKey"] = keyEncryptionKey ?? _keyEncryptionKey,
        });
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug);
        builder.Logging.AddProvider(_logs);
        builder.AddPersistence();
        return builder.Build();
    }

    private async Task StartAndStopAsync(ThrowawayAppDatabase database)
    {
        using var host = Build(database);
        await host.StartAsync();
        Protector(host).Protect("used");
        await host.StopAsync();
    }

    private static IDataProtector Protector(IHost host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("EhrShare.Tests.KeyRing");

    private static async Task<List<string>> KeysAsync(ThrowawayAppDatabase database)
    {
        await using var db = new EhrDbContext(database.Options);
        // Revocations are rows of the same table, named revocation-….
        return await db.DataProtectionKeys.AsNoTracking().Where(k => k.FriendlyName!.StartsWith("key-"))
            .OrderBy(k => k.Id).Select(k => k.FriendlyName!).ToListAsync();
    }
}
