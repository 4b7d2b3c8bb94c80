using MySqlConnector;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// The one table of a share node. It is plain SQL rather than an EF Core model: a node is a separate database,
/// possibly on a separate server, holding nothing but opaque shares keyed by (record id, x, generation). A refresh
/// writes a record's new generation next to the old one before it deletes the old (docs/share-format.md).
/// </summary>
public static class ShareNodeSchema
{
    public const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS shares (
            record_id  BINARY(16)       NOT NULL,
            x          TINYINT UNSIGNED NOT NULL,
            generation INT UNSIGNED     NOT NULL DEFAULT 0,
            share      MEDIUMBLOB       NOT NULL,
            written_at DATETIME(6)      NOT NULL,
            PRIMARY KEY (record_id, x, generation)
        ) ENGINE=InnoDB
        """;

    /// <summary>
    /// Tables made before generations existed: their rows become generation 0 and the key takes the generation, in
    /// one ALTER (InnoDB applies it whole or not at all).
    /// </summary>
    public const string AddGenerationSql = """
        ALTER TABLE shares
            ADD COLUMN generation INT UNSIGNED NOT NULL DEFAULT 0 AFTER x,
            DROP PRIMARY KEY,
            ADD PRIMARY KEY (record_id, x, generation)
        """;

    private const string HasGenerationSql = """
        SELECT COUNT(*) FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'shares' AND COLUMN_NAME = 'generation'
        """;

    public static async Task EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var create = new MySqlCommand(CreateTableSql, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var check = new MySqlCommand(HasGenerationSql, connection);
        if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await using var alter = new MySqlCommand(AddGenerationSql, connection);
            await alter.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
