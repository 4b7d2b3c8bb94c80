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
        var logFile = Path.Combine(hosting.ResolveDataDirectory(builder.Environment.ContentRootPath), "logs", "ehrshare-.log");
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
            .WriteTo.Console(outputTemplate: template, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(logFile, outputTemplate: "{Timestamp:o} " + template,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                fileSizeLimitBytes: 64 * 1024 * 1024, rollOnFileSizeLimit: true, shared: true),
            preserveStaticLogger: true);
        return builder;
    }
}
