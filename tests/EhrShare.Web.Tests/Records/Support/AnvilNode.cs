using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Records.Support;

/// <summary>
/// An anvil of the test's own on a free loopback port, so the test can take the chain away and bring it back (same
/// port, same state) without touching the stack's chain. Disposing kills it.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    public const long ChainId = 31337;

    /// <summary>Anvil's first dev key: public knowledge, test chains only (also the stack's manager key).</summary>
    public const string DevKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private Process? _process;

    private AnvilNode(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<AnvilNode> StartAsync()
    {
        var node = new AnvilNode(LocalPorts.Free());
        await node.StartProcessAsync();
        return node;
    }

    /// <summary>Deploys the EhrAccess contract with the manager key and returns its address.</summary>
    public async Task<string> DeployContractAsync()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ChainOptions { RpcUrl = Url, ChainId = ChainId, ManagerPrivateKey = DevKey0 });
        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
        var sender = new TransactionSender(new EthRpcClient(http), new NonceManager(), new FeeEstimator(options), options);
        return (await new ContractDeployer(sender, options).EnsureDeployedAsync(null)).ToString();
    }

    /// <summary>Moves the chain's clock forward by <paramref name="by"/> (whole seconds) and mines a block at the new time,
    /// so the contract's views see it. Only for a chain the test owns: the move is permanent.</summary>
    public async Task IncreaseTimeAsync(TimeSpan by)
    {
        await RpcAsync("evm_increaseTime", ((long)Math.Ceiling(by.TotalSeconds)).ToString(CultureInfo.InvariantCulture), raw: true);
        await RpcAsync("evm_mine", null);
    }

    /// <summary>The timestamp of the chain's latest block.</summary>
    public async Task<DateTimeOffset> LatestBlockTimeAsync()
    {
        using var block = JsonDocument.Parse(await RpcAsync("eth_getBlockByNumber", "\"latest\", false", raw: true));
        var hex = block.RootElement.GetProperty("timestamp").GetString()!;
        return DateTimeOffset.FromUnixTimeSeconds(long.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    /// <summary>Takes the chain away: its state is dumped first (blocks, accounts, contract storage), then the node is killed.</summary>
    public async Task<string> StopAsync()
    {
        var state = await RpcAsync("anvil_dumpState", null);
        Kill();
        return state;
    }

    /// <summary>Brings the chain back on the same port with the state <see cref="StopAsync"/> dumped.</summary>
    public async Task StartAgainAsync(string state)
    {
        await StartProcessAsync();
        await RpcAsync("anvil_loadState", state);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private void Kill()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }

            process.Dispose();
            _process = null;
        }
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo(TestStack.AnvilPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in TestStack.AnvilArguments(Port, ChainId))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("anvil did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                await RpcAsync("eth_chainId", null);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Calls <paramref name="method"/> with one string parameter, or with <paramref name="parameter"/> as the
    /// JSON text of the parameters (without the brackets) when <paramref name="raw"/>.</summary>
    private async Task<string> RpcAsync(string method, string? parameter, bool raw = false)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var body = raw
            ? $"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"{method}\",\"params\":[{parameter}]}}"
            : JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameter is null ? Array.Empty<string>() : [parameter] });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(Url, content);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("error", out var error)
            ? throw new InvalidOperationException($"{method} failed: {error}")
            : json.RootElement.GetProperty("result").ToString();
    }
}
