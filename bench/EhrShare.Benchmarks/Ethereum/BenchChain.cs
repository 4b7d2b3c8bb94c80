using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using EhrShare.Testing;

namespace EhrShare.Benchmarks.Ethereum;

/// <summary>A private anvil with EhrAccess deployed, for one benchmark class; killed on dispose.</summary>
internal sealed class BenchChain : IAsyncDisposable
{
    public const string DevKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private Process _anvil = null!;

    public string Url { get; private set; } = "";

    public ChainOptions Options { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public EthRpcClient Rpc { get; private set; } = null!;

    public TransactionSender Sender { get; private set; } = null!;

    public EhrAccessContract Contract { get; private set; } = null!;

    public EthKey Manager { get; } = EthKey.FromPrivateKey(DevKey0);

    public static async Task<BenchChain> StartAsync(int? blockTimeSeconds)
    {
        var chain = new BenchChain();
        await chain.InitializeAsync(blockTimeSeconds);
        return chain;
    }

    public static HttpClient NewHttpClient(string url) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(30),
        };

    public async Task<EthKey> NewFundedKeyAsync()
    {
        var key = EthKey.Generate();
        await Rpc.RequestAsync("anvil_setBalance", w =>
        {
            w.WriteStringValue(key.Address.ToLowerHex());
            w.WriteStringValue(Hex.EncodeQuantity(BigInteger.Pow(10, 20)));
        }, _ => 0);
        return key;
    }

    public ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_anvil is { HasExited: false })
        {
            _anvil.Kill(entireProcessTree: true);
            _anvil.WaitForExit(5000);
        }

        _anvil?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task InitializeAsync(int? blockTimeSeconds)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo(TestStack.AnvilPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in TestStack.AnvilArguments(port, 31337, blockTimeSeconds))
        {
            info.ArgumentList.Add(a);
        }

        _anvil = Process.Start(info) ?? throw new InvalidOperationException("Could not start anvil.");
        _anvil.OutputDataReceived += (_, _) => { };
        _anvil.ErrorDataReceived += (_, _) => { };
        _anvil.BeginOutputReadLine();
        _anvil.BeginErrorReadLine();

        Url = $"http://127.0.0.1:{port}";
        Options = new ChainOptions
        {
            RpcUrl = Url,
            ChainId = 31337,
            ManagerPrivateKey = DevKey0,
            ReceiptPollInterval = TimeSpan.FromMilliseconds(100),
            ReceiptTimeout = TimeSpan.FromSeconds(60),
        };
        Http = NewHttpClient(Url);
        Rpc = new EthRpcClient(Http);
        for (var i = 0; ; i++)
        {
            try
            {
                await Rpc.EthChainIdAsync();
                break;
            }
            catch (ChainUnavailableException) when (i < 200)
            {
                await Task.Delay(25);
            }
        }

        var o = Microsoft.Extensions.Options.Options.Create(Options);
        Sender = new TransactionSender(Rpc, new NonceManager(), new FeeEstimator(o), o);
        var address = await new ContractDeployer(Sender, o).EnsureDeployedAsync(null);
        Contract = new EhrAccessContract(Sender, address);
    }
}
