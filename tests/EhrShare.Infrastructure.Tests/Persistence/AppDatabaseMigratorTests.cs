using System.Security.Cryptography;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.Persistence.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Tests.Persistence;

public sealed class AppDatabaseMigratorTests
{
    [Fact]
    public async Task ADatabaseWithPlaintextDescriptions_IsMigrated_WithEveryDescriptionEncryptedAndNothingLost()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync(migrate: false);
        var before = Migration.Id<RecordDescriptionProtected>();
        await using (var db = new EhrDbContext(database.Options))
        {
            // The last schema that kept titles in clear, with records of a patient in it.
            var migrations = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(migrations[migrations.IndexOf(before) - 1]);
        }

        var userId = Guid.NewGuid().ToString();
        var rows = Enumerable.Range(0, 1203).Select(i => (Id: Guid.NewGuid(), Title: $"Result {i} – März", Notes: i % 2 == 0 ? $"note {i}" : null, File: $"scan-{i}.pdf")).ToList();
        await ThrowawayAppDatabase.ExecuteAsync(database.ConnectionString,
            $"INSERT INTO AspNetUsers (Id, AccessFailedCount, EmailConfirmed, LockoutEnabled, PhoneNumberConfirmed, TwoFactorEnabled, DisplayName, Status, CreatedAt) " +
            $"VALUES ('{userId}', 0, 1, 1, 0, 0, 'Patient', 'Approved', UTC_TIMESTAMP())");
        foreach (var chunk in rows.Chunk(300))
        {
            var values = string.Join(",", chunk.Select(r =>
                $"('{r.Id}', '{userId}', '{r.Title}', {(r.Notes is null ? "NULL" : $"'{r.Notes}'")}, '{r.File}', 'application/pdf', 1, 'Committed', UTC_TIMESTAMP(), UTC_TIMESTAMP())"));
            await ThrowawayAppDatabase.ExecuteAsync(database.ConnectionString,
                $"INSERT INTO Records (Id, PatientUserId, Title, Notes, FileName, ContentType, Size, State, LeaseUntil, CreatedAt) VALUES {values}");
        }

        using var host = Build(database);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AppDatabaseMigrator>().MigrateAsync(CancellationToken.None);
        }

        await using var check = new EhrDbContext(database.Options);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync());
        var protector = host.Services.GetRequiredService<IRecordDescriptionProtector>();
        var stored = await check.Records.AsNoTracking().ToDictionaryAsync(r => r.Id, r => protector.Unprotect(r.ProtectedDescription));
        Assert.Equal(rows.Count, stored.Count);
        Assert.All(rows, r => Assert.Equal(new RecordDescription(r.Title, r.Notes, r.File), stored[r.Id]));
    }

    [Fact]
    public async Task AnEmptyDatabase_IsMigratedToTheEnd()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync(migrate: false);
        using var host = Build(database);
        await using var scope = host.Services.CreateAsyncScope();

        var applied = await scope.ServiceProvider.GetRequiredService<AppDatabaseMigrator>().MigrateAsync(CancellationToken.None);

        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        Assert.Equal(db.Database.GetMigrations().Count(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    private static IHost Build(ThrowawayAppDatabase database)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = database.ConnectionString,
            ["DataProtection:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        builder.AddPersistence();
        return builder.Build();
    }

    private static class Migration
    {
        public static string Id<T>() =>
            ((MigrationAttribute)Attribute.GetCustomAttribute(typeof(T), typeof(MigrationAttribute))!).Id;
    }
}
