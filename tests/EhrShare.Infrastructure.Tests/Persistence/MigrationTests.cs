using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace EhrShare.Infrastructure.Tests.Persistence;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrate_OnAnEmptyDatabase_CreatesTheWholeSchema()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync(migrate: false);
        await using (var db = new EhrDbContext(database.Options))
        {
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());

            // The model and the schema agree: every mapped table is queryable.
            Assert.Equal(0, await db.Users.CountAsync());
            Assert.Equal(0, await db.Roles.CountAsync());
            Assert.Equal(0, await db.DataProtectionKeys.CountAsync());
        }

        var tables = await QueryListAsync(database.ConnectionString,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()");
        Assert.Contains("__EFMigrationsHistory", tables);
        Assert.Contains("AspNetUsers", tables);
        Assert.Contains("DataProtectionKeys", tables);
    }

    [Fact]
    public void TheModel_HasNoChangesMissingFromTheMigrations()
    {
        var options = new DbContextOptionsBuilder<EhrDbContext>()
            .UseMySql("Server=127.0.0.1;Database=unused", ServerVersion.Parse(new DatabaseOptions().ServerVersion))
            .Options;
        using var db = new EhrDbContext(options);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The EF Core model changed without a migration: dotnet ef migrations add <Name> --project src/EhrShare.Infrastructure --output-dir Persistence/Migrations");
    }

    private static async Task<List<string>> QueryListAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }
}
