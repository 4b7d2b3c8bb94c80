using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EhrShare.Testing;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>
/// A private anvil on a free loopback port, started for one fixture and killed on dispose, so chain tests are
/// independent of the shared stack and of each other.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable
{
    public const long ChainId = 31337;

    /// <summary>Anvil's first dev key: public knowledge, test chains only.</summary>
    public const string DevKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private readonly Process _process;

    private AnvilProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Url = $"http://127.0.0.1:{port}";
    }

    public int Port { get; }

    public string Url { get; }

    public bool HasExited => _process.HasExited;

    public static Task<AnvilProcess> StartAsync(int? blockTimeSeconds = null, CancellationToken cancellationToken = default) =>
        StartAsync(blockTimeSeconds, null, cancellationToken);

    /// <summary>Starts anvil on <paramref name="port"/> (e.g. again on the port of one that was stopped), or on a free port when null.</summary>
    public static async Task<AnvilProcess> StartAsync(int? blockTimeSeconds, int? port, CancellationToken cancellationToken = default)
    {
        var path = TestStack.AnvilPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"anvil is not installed at {path}: run 'npm ci' in tools/chain.");
        }

        for (var attempt = 0; ; attempt++)
        {
            var listenOn = port ?? FreePort();
            var args = TestStack.AnvilArguments(listenOn, ChainId, blockTimeSeconds);

            var info = new ProcessStartInfo(path)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start anvil.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var anvil = new AnvilProcess(process, listenOn);
            if (await anvil.WaitUntilReadyAsync(TimeSpan.FromSeconds(15), cancellationToken))
            {
                return anvil;
            }

            await anvil.DisposeAsync();
            if (attempt >= 2)
            {
                throw new InvalidOperationException("anvil did not answer on its port after three tries.");
            }
        }
    }

    /// <summary>The chain's state (accounts, code, storage, blocks and receipts; not the pending pool), for <see cref="LoadStateAsync"/>.</summary>
    public Task<string> DumpStateAsync() => RpcAsync("anvil_dumpState", null);

    /// <summary>Loads a state from <see cref="DumpStateAsync"/>: with a restart on the same port, a node that went down and came back.</summary>
    public Task LoadStateAsync(string state) => RpcAsync("anvil_loadState", state);

    private async Task<string> RpcAsync(string method, string? parameter)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var body = System.Text.Json.JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameter is null ? Array.Empty<string>() : [parameter] });
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(Url, content);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (json.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{method} failed: {error}");
        }

        return json.RootElement.GetProperty("result").ToString();
    }

    /// <summary>Kills the node (a crash, as far as clients can tell).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(Url, content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(25, cancellationToken);
        }

        return false;
    }
}
