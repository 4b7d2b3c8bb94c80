using EhrShare.Core.Access;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.Infrastructure.Persistence;

public static class PersistenceModule
{
    /// <summary>
    /// The app database (EF Core + Pomelo) and the Data Protection key ring kept in it, so every instance of the app
    /// decrypts what another wrote (users' Ethereum keys are protected with it).
    /// </summary>
    public static IHostApplicationBuilder AddPersistence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => TryParseServerVersion(o.ServerVersion), "Database:ServerVersion is not a valid server version (e.g. 10.11.0-mariadb).")
            .ValidateOnStart();

        builder.Services.AddDbContext<EhrDbContext>((services, options) =>
        {
            var db = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseMySql(PooledConnectionString(db.ConnectionString), ServerVersion.Parse(db.ServerVersion), mysql =>
                mysql.MigrationsAssembly(typeof(EhrDbContext).Assembly.GetName().Name));
        });

        builder.Services.AddScoped<IEhrDbContext>(services => services.GetRequiredService<EhrDbContext>());
        builder.Services.AddScoped<AppDatabaseMigrator>();

        builder.Services.AddOptions<KeyRingOptions>()
            .BindConfiguration(KeyRingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => KeyRingOptions.IsValidKey(o.KeyEncryptionKey),
                "DataProtection:KeyEncryptionKey must be 32 bytes in base64 (e.g. from 'openssl rand -base64 32').")
            .ValidateOnStart();
        // Before AddDataProtection: hosted services start in the order they were added, and Data Protection's own one
        // loads the key ring (creating a key when it finds none) at start.
        builder.Services.AddHostedService<KeyRingBootstrap>();
        builder.Services.AddDataProtection()
            .SetApplicationName("EhrShare")
            .PersistKeysToDbContext<EhrDbContext>();
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConfigureKeyRingEncryption>();
        builder.Services.AddSingleton<IEmergencyReasonProtector, EmergencyReasonProtector>();
        builder.Services.AddSingleton<IRecordDescriptionProtector, RecordDescriptionProtector>();

        builder.Services.AddHealthChecks()
            .AddCheck<AppDatabaseHealthCheck>("database", timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>
    /// The app database's connection string with <c>Connection Reset=false</c> unless it says otherwise: a connection
    /// taken from the pool is used as it was left, without a COM_RESET_CONNECTION round trip per open (EF Core opens
    /// one per query or save). The app keeps no session state on pooled connections; the one connection that does (the
    /// outbox's named lock) is not pooled. See docs/decisions/app-database-connections-not-reset.md.
    /// </summary>
    public static string PooledConnectionString(string connectionString)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey("Connection Reset"))
        {
            builder.ConnectionReset = false;
        }

        return builder.ConnectionString;
    }

    private static bool TryParseServerVersion(string value)
    {
        try
        {
            _ = ServerVersion.Parse(value);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            return false;
        }
    }
}
