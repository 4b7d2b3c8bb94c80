using MySqlConnector;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// The one table of a share node. It is plain SQL rather than an EF Core model: a node is a separate database,
/// possibly on a separate server, holding nothing but opaque shares keyed by (record id, x).
/// </summary>
public static class ShareNodeSchema
{
    public const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS shares (
            record_id  BINARY(16)       NOT NULL,
            x          TINYINT UNSIGNED NOT NULL,
            share      MEDIUMBLOB       NOT NULL,
            written_at DATETIME(6)      NOT NULL,
            PRIMARY KEY (record_id, x)
        ) ENGINE=InnoDB
        """;

    public static async Task EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand(CreateTableSql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
