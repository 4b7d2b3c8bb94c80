using System.Diagnostics;
using System.Globalization;

namespace EhrShare.Testing;

/// <summary>
/// An IPFS dev node (tools/ipfs-dev-node) a test starts itself on a free loopback port with a temporary repository,
/// so it can stop, crash and restart it without touching the stack's node. Disposing kills it (its own process
/// only) and deletes the repository.
/// </summary>
public sealed class IpfsDevNodeProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static bool s_installed;
    private readonly bool _ownsRepo;
    private Process? _process;

    private IpfsDevNodeProcess(string repoDir, int port, bool ownsRepo)
    {
        RepoDir = repoDir;
        Port = port;
        _ownsRepo = ownsRepo;
    }

    public string RepoDir { get; }

    public int Port { get; }

    public string ApiUrl => $"http://127.0.0.1:{Port}";

    /// <summary>What every run of the node printed so far.</summary>
    public ProcessOutput Output { get; } = new();

    public string Log => Output.All;

    /// <summary>Starts a node on a free port with a new, empty repository under the temp folder.</summary>
    public static async Task<IpfsDevNodeProcess> StartAsync()
    {
        var repo = Path.Combine(Path.GetTempPath(), "ehrshare-ipfs-tests", Guid.NewGuid().ToString("N"));
        var node = new IpfsDevNodeProcess(repo, LocalPorts.Free(), ownsRepo: true);
        try
        {
            await node.StartProcessAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

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

    /// <summary>Starts the node again (after <see cref="StopAsync"/>) on the same repository and port.</summary>
    public Task StartAgainAsync() => _process is null
        ? StartProcessAsync()
        : throw new InvalidOperationException("The IPFS dev node is still running; stop it first.");

    /// <summary>Kills the node and starts a new one on the same repository and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

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
        foreach (var arg in new[] { TestStack.IpfsDevNodeScript, "--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--repo", RepoDir })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(string line)
        {
            if (line.Contains("ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        Output.LineReceived += OnLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("exited"));
        try
        {
            process.Start();
            _process = process;
            Output.Attach(process);
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await StopAsync();
            throw new TimeoutException($"The IPFS dev node did not say it was ready within {StartTimeout.TotalSeconds} s:\n{Output.Tail()}");
        }
        catch (InvalidOperationException) when (process.HasExited)
        {
            // Let the output readers reach the end: the reason is usually in the last lines.
            await process.WaitForExitAsync();
            var code = process.ExitCode;
            await StopAsync();
            throw new InvalidOperationException($"The IPFS dev node exited with code {code} before it was ready:\n{Output.Tail()}");
        }
        catch
        {
            await StopAsync();
            throw;
        }
        finally
        {
            Output.LineReceived -= OnLine;
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

            // Same flags as scripts/install.sh: the dev node's packages need no install scripts.
            var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "ci", "--prefix", dir, "--no-audit", "--no-fund", "--ignore-scripts" })
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
}
