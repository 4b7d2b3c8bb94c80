using Serilog;
using Serilog.Events;

namespace EhrShare.Web.Hosting;

public static class LoggingModule
{
    /// <summary>
    /// Serilog to the console and to a rolling file under the data directory. Levels and extra sinks can be set in
    /// the <c>Serilog</c> configuration section. Framework categories that would echo request details or SQL are
    /// kept at Warning; the app never logs keys, shares or record contents.
    /// </summary>
    public static IHostApplicationBuilder AddEhrLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HostingOptions>()
            .BindConfiguration(HostingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var hosting = builder.Configuration.GetSection(HostingOptions.Section).Get<HostingOptions>() ?? new();
        var logDirectory = Path.Combine(hosting.ResolveDataDirectory(builder.Environment.ContentRootPath), "logs");
        CreatePrivateDirectory(logDirectory);
        var logFile = Path.Combine(logDirectory, "ehrshare-.log");
        const string template = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

        // Each host keeps its own logger (preserveStaticLogger): otherwise every host in a process shares the static
        // Log.Logger, the last one started takes every host's events and the first one stopped silences the rest.
        builder.Services.AddSerilog((services, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Error)
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Filter.ByExcluding(IsBadSettingAtStart)
            .WriteTo.Console(outputTemplate: template, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(logFile, outputTemplate: "{Timestamp:o} " + template,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                fileSizeLimitBytes: 64 * 1024 * 1024, rollOnFileSizeLimit: true, shared: true),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>
    /// The host logs a failed start with the exception's stack trace; for a missing or bad setting Program.cs says which
    /// in one line and exits 2, so that event would only bury the message under a stack trace.
    /// </summary>
    private static bool IsBadSettingAtStart(LogEvent logEvent) =>
        logEvent.Exception is { } error
        && ConfigurationErrors.Describe(error) is not null
        && logEvent.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: "Microsoft.Extensions.Hosting.Internal.Host" };

    /// <summary>
    /// The logs name users, addresses and record ids: their folder is the owner's only (0700 on Unix). The files in it
    /// get the process's umask: Serilog's file sink has no file-mode setting (and no lifecycle hooks for shared files),
    /// so ./ehr starts the app with umask 077 and the files are 0600 (docs/decisions/private-data-folders.md).
    /// </summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(path, ownerOnly);
        if (File.GetUnixFileMode(path) != ownerOnly)
        {
            // Made by an earlier version, or by hand: tighten it (it is ours to write in anyway).
            File.SetUnixFileMode(path, ownerOnly);
        }
    }
}
