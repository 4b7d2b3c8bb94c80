using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace EhrShare.Infrastructure.Tests.Persistence;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrate_OnAnEmptyDatabase_CreatesTheWholeSchema()
    {
        var name = "ehrshare_t_" + Guid.NewGuid().ToString("N")[..12];
        var server = new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = "" };
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE `{name}`");
        try
        {
            var target = new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = name };
            var options = new DbContextOptionsBuilder<EhrDbContext>()
                .UseMySql(target.ConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion))
                .Options;
            await using (var db = new EhrDbContext(options))
            {
                Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());
                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());

                // The model and the schema agree: every mapped table is queryable.
                Assert.Equal(0, await db.Users.CountAsync());
                Assert.Equal(0, await db.Roles.CountAsync());
                Assert.Equal(0, await db.DataProtectionKeys.CountAsync());
            }

            var tables = await QueryListAsync(target.ConnectionString,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()");
            Assert.Contains("__EFMigrationsHistory", tables);
            Assert.Contains("AspNetUsers", tables);
            Assert.Contains("DataProtectionKeys", tables);
        }
        finally
        {
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS `{name}`");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
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
