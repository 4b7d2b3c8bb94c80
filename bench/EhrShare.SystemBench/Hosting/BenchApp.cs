using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.SystemBench.Hosting;

/// <summary>
/// The real app (the web project's Program, every module, the same configuration as <c>./ehr run</c> against the bench
/// stack, environment "Test"), hosted in this process on Kestrel at a real loopback port. Clients reach it over TCP
/// like a browser does, and the bench can resolve its services (use cases, the chain and IPFS clients, the share
/// vault) to create users and to measure the primitives in the same process. Settings given to <see cref="Start"/> override
/// configuration keys (the network stage points the app's dependencies at counting proxies).
/// </summary>
public sealed class BenchApp : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private BenchApp(int port, IReadOnlyDictionary<string, string?> settings)
    {
        _settings = settings;
        Port = port;
        UseKestrel(port);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <param name="port">The loopback port to listen on; 0 takes a free one.</param>
    /// <param name="settings">Configuration keys to override.</param>
    public static BenchApp Start(int port, IReadOnlyDictionary<string, string?>? settings = null)
    {
        if (port == 0)
        {
            // The bench stack's fixed ports (33306, 35001, 35080, 38545) lie in Linux's ephemeral range, where an
            // outgoing connection may hold one (seen: 35080 in TIME_WAIT towards anvil); a port the OS hands out is free.
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        // The web project's folder is the content root (wwwroot, appsettings*.json), as under ./ehr run.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_EHRSHARE_WEB", Path.Combine(RepoRoot(), "src", "EhrShare.Web"));
        var app = new BenchApp(port, settings ?? new Dictionary<string, string?>());
        app.StartServer();
        return app;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EhrShare.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EhrShare.sln was not found above " + AppContext.BaseDirectory);
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Stops the app, then closes the idle pooled MySQL connections of this process: the outbox's leader lock is a
    /// named lock on a connection that returns to the pool when the app stops, where it would keep the lock from the
    /// next app instance (a process that exits closes them; this one goes on).
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await MySqlConnector.MySqlConnection.ClearAllPoolsAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("Hosting:RethrowStartupErrors", "true");
        builder.UseSetting("urls", BaseAddress.ToString());
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
