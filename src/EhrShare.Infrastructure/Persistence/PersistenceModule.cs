using EhrShare.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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
            options.UseMySql(db.ConnectionString, ServerVersion.Parse(db.ServerVersion), mysql =>
                mysql.MigrationsAssembly(typeof(EhrDbContext).Assembly.GetName().Name));
        });

        builder.Services.AddScoped<IEhrDbContext>(services => services.GetRequiredService<EhrDbContext>());

        builder.Services.AddOptions<KeyRingOptions>()
            .BindConfiguration(KeyRingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => KeyRingOptions.IsValidKey(o.KeyEncryptionKey),
                "DataProtection:KeyEncryptionKey must be 32 bytes in base64 (e.g. from 'openssl rand -base64 32').")
            .ValidateOnStart();
        builder.Services.AddDataProtection()
            .SetApplicationName("EhrShare")
            .PersistKeysToDbContext<EhrDbContext>();
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConfigureKeyRingEncryption>();

        builder.Services.AddHealthChecks()
            .AddCheck<AppDatabaseHealthCheck>("database", timeout: TimeSpan.FromSeconds(5));
        return builder;
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
