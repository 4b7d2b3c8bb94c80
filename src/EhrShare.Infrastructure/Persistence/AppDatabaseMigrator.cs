using System.Data.Common;
using System.Reflection;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.Persistence;

/// <summary>
/// Brings the app database to the current schema. Migrations are EF Core's, except where data must be transformed
/// with the app's keys between two of them: record titles, notes and file names are encrypted after
/// <see cref="RecordDescriptionProtected"/> adds their column and before <see cref="RecordDescriptionPlaintextDropped"/>
/// drops the plaintext, so an existing database loses nothing.
/// </summary>
public sealed class AppDatabaseMigrator(EhrDbContext db, IRecordDescriptionProtector descriptions, ILogger<AppDatabaseMigrator> logger)
{
    private const int Batch = 500;

    /// <summary>Applies the pending migrations; returns how many there were.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Contains(IdOf<RecordDescriptionPlaintextDropped>()))
        {
            await db.GetService<IMigrator>().MigrateAsync(IdOf<RecordDescriptionProtected>(), cancellationToken);
            var protectedRows = await ProtectPlaintextDescriptionsAsync(cancellationToken);
            logger.LogInformation("Encrypted the description of {Count} existing record(s)", protectedRows);
        }

        await db.Database.MigrateAsync(cancellationToken);
        return pending.Count;
    }

    private static string IdOf<TMigration>()
        where TMigration : Migration =>
        typeof(TMigration).GetCustomAttribute<MigrationAttribute>()!.Id;

    /// <summary>Encrypts, batch by batch, each record's plaintext columns into ProtectedDescription (between the two migrations).</summary>
    private async Task<int> ProtectPlaintextDescriptionsAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            while (true)
            {
                var rows = new List<(Guid Id, RecordDescription Description)>();
                await using (var select = connection.CreateCommand())
                {
                    select.CommandText = $"SELECT Id, Title, Notes, FileName FROM Records WHERE ProtectedDescription IS NULL LIMIT {Batch}";
                    await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        rows.Add((reader.GetGuid(0), new RecordDescription(
                            reader.GetString(1), await reader.IsDBNullAsync(2, cancellationToken) ? null : reader.GetString(2), reader.GetString(3))));
                    }
                }

                if (rows.Count == 0)
                {
                    return total;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                foreach (var (id, description) in rows)
                {
                    await using var update = connection.CreateCommand();
                    update.Transaction = transaction;
                    update.CommandText = "UPDATE Records SET ProtectedDescription = @description WHERE Id = @id";
                    Add(update, "@description", descriptions.Protect(description));
                    Add(update, "@id", id);
                    await update.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                total += rows.Count;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
