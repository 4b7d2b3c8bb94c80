using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Tests.Ipfs;

/// <summary>
/// An IPFS dev node (tools/ipfs-dev-node) this test run starts itself on a free loopback port with a temporary
/// repository, and kills (its own process only) when disposed.
/// </summary>
public sealed class DevNode : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool s_installed;
    private readonly StringBuilder _log = new();
    private readonly bool _ownsRepo;
    private Process? _process;

    private DevNode(string repoDir, int port, bool ownsRepo)
    {
        RepoDir = repoDir;
        Port = port;
        _ownsRepo = ownsRepo;
    }

    public string RepoDir { get; }

    public int Port { get; }

    public string ApiUrl => $"http://127.0.0.1:{Port}";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<DevNode> StartAsync()
    {
        var repo = Path.Combine(Path.GetTempPath(), "ehrshare-ipfs-tests", Guid.NewGuid().ToString("N"));
        var node = new DevNode(repo, FreePort(), ownsRepo: true);
        await node.StartProcessAsync();
        return node;
    }

    /// <summary>Kills the node (no graceful shutdown: what it wrote must survive a crash).</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Kills the node and starts a new one on the same repository and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    /// <summary>An app host wired with <see cref="IpfsModule.AddIpfs"/> against this node, started (so options are validated).</summary>
    public Task<IHost> StartHostAsync(IDictionary<string, string?>? settings = null) => StartHost(ApiUrl, settings);

    public static async Task<IHost> StartHost(string? apiUrl, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var config = new Dictionary<string, string?> { ["Ipfs:ApiUrl"] = apiUrl };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddIpfs();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    public static KuboRpcClient Client(IHost host) => host.Services.GetRequiredService<KuboRpcClient>();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsRepo && Directory.Exists(RepoDir))
        {
            Directory.Delete(RepoDir, recursive: true);
        }
    }

    private async Task StartProcessAsync()
    {
        await EnsureInstalledAsync();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { TestStack.IpfsDevNodeScript, "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--repo", RepoDir })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Append(e.Data);
            if (e.Data.Contains("ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append(e.Data);
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The IPFS dev node exited before it was ready:\n{Log}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void Append(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>Installs the dev node's pinned packages (npm ci) when a fresh clone has none yet.</summary>
    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var dir = Path.GetDirectoryName(TestStack.IpfsDevNodeScript)!;
            if (s_installed || File.Exists(Path.Combine(dir, "node_modules", ".package-lock.json")))
            {
                s_installed = true;
                return;
            }

            var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "ci", "--prefix", dir, "--no-audit", "--no-fund" })
            {
                npm.ArgumentList.Add(arg);
            }

            using var process = Process.Start(npm)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci for the IPFS dev node failed:\n{await output}\n{await errors}");
            }

            s_installed = true;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One dev node and app host shared by the tests of a collection.</summary>
public sealed class DevNodeFixture : IAsyncLifetime
{
    private IHost? _host;

    public DevNode Node { get; private set; } = null!;

    public KuboRpcClient Client => DevNode.Client(_host!);

    public async Task InitializeAsync()
    {
        Node = await DevNode.StartAsync();
        _host = await Node.StartHostAsync();
    }

    public async Task DisposeAsync()
    {
        _host?.Dispose();
        await Node.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DevNodeCollection : ICollectionFixture<DevNodeFixture>
{
    public const string Name = "IPFS dev node";
}
