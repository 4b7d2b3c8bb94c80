using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace EhrShare.Infrastructure.Tests.Persistence;

/// <summary>A new app database (<c>ehrshare_t_…</c>) on the test stack's MariaDB, migrated if asked; dropped on dispose.</summary>
public sealed class ThrowawayAppDatabase : IAsyncDisposable
{
    private ThrowawayAppDatabase(string name) => Name = name;

    public string Name { get; }

    public string ConnectionString => ConnectionStringOf(Name);

    public DbContextOptions<EhrDbContext> Options => new DbContextOptionsBuilder<EhrDbContext>()
        .UseMySql(ConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion))
        .Options;

    public static async Task<ThrowawayAppDatabase> CreateAsync(bool migrate = true)
    {
        var database = new ThrowawayAppDatabase("ehrshare_t_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(ConnectionStringOf(""), $"CREATE DATABASE `{database.Name}`");
        if (migrate)
        {
            await using var db = new EhrDbContext(database.Options);
            await db.Database.MigrateAsync();
        }

        return database;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync(ConnectionStringOf(""), $"DROP DATABASE IF EXISTS `{Name}`");

    public static string ConnectionStringOf(string database) =>
        new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = database }.ConnectionString;

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
