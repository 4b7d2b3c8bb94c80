using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>When the chain is down, slow or refuses, callers get a typed error quickly, never a hang.</summary>
public class ChainFailureTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    private static readonly EthKey DevKey = EthKey.FromPrivateKey(AnvilProcess.DevKey0);

    private static ChainOptions OptionsFor(string url, TimeSpan? requestTimeout = null, TimeSpan? receiptTimeout = null) => new()
    {
        RpcUrl = url,
        ChainId = AnvilProcess.ChainId,
        ManagerPrivateKey = AnvilProcess.DevKey0,
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
        ReceiptTimeout = receiptTimeout ?? TimeSpan.FromSeconds(30),
        ReceiptPollInterval = TimeSpan.FromMilliseconds(50),
    };

    private static (EthRpcClient Rpc, TransactionSender Sender, NonceManager Nonces, HttpClient Http) Client(ChainOptions options)
    {
        var http = new HttpClient { BaseAddress = new Uri(options.RpcUrl), Timeout = options.RequestTimeout };
        var rpc = new EthRpcClient(http);
        var nonces = new NonceManager();
        var o = Options.Create(options);
        return (rpc, new TransactionSender(rpc, nonces, new FeeEstimator(o), o), nonces, http);
    }

    [Fact]
    public async Task ChainStopped_Call_FailsFastWithChainUnavailable()
    {
        var anvil = await AnvilProcess.StartAsync();
        var (rpc, _, _, http) = Client(OptionsFor(anvil.Url));
        using (http)
        {
            Assert.Equal(AnvilProcess.ChainId, await rpc.EthChainIdAsync());
            await anvil.DisposeAsync();

            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<ChainUnavailableException>(() => rpc.EthBlockNumberAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ATransactionReplacedInThePool_ByAnotherSenderOfTheSameAccount_IsSentAgainWithANewNonce()
    {
        // Two app instances approve users with the manager's account, each with its own nonces: one's transaction can
        // lose its nonce to the other's. It can then never be mined, so the request goes again, with the next nonce.
        await using var anvil = await AnvilProcess.StartAsync();
        var (rpc, sender, _, http) = Client(OptionsFor(anvil.Url, receiptTimeout: TimeSpan.FromSeconds(90)));
        using var _ = http;
        await rpc.RequestAsync("evm_setAutomine", w => w.WriteBooleanValue(false), _ => 0);
        var first = EthKey.Generate().Address;
        var other = EthKey.Generate().Address;

        var transfer = sender.TransferAsync(DevKey, first, 1_000);
        await Until(async () => await rpc.EthGetTransactionCountAsync(DevKey.Address, BlockParameter.Pending) == 1, "the transfer in the pool");
        var replacement = new Eip1559Transaction
        {
            ChainId = AnvilProcess.ChainId,
            Nonce = 0,
            MaxPriorityFeePerGas = 50_000_000_000,
            MaxFeePerGas = 100_000_000_000,
            GasLimit = 21_000,
            To = other,
            Value = 7,
        }.Sign(DevKey);
        await rpc.EthSendRawTransactionAsync(replacement.Raw);

        // Mine until the transfer is through (the sender notices the replacement at its next check for lost transactions).
        var deadline = Stopwatch.StartNew();
        while (!transfer.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            await rpc.RequestAsync("evm_mine", null, _ => 0);
            await Task.WhenAny(transfer, Task.Delay(200));
        }

        var receipt = await transfer;
        Assert.True(receipt.Succeeded);
        Assert.Equal(1UL, (await rpc.EthGetTransactionByHashAsync(receipt.TransactionHash))!.Nonce);
        Assert.Equal(new BigInteger(1_000), await rpc.EthGetBalanceAsync(first, BlockParameter.Latest));
        Assert.Equal(new BigInteger(7), await rpc.EthGetBalanceAsync(other, BlockParameter.Latest));
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Not within 30 s: {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task SendFailingInTransport_ThrowsChainUnavailable_AndGivesTheNonceBack()
    {
        var key = await chain.NewFundedKeyAsync();
        using var http = new HttpClient(new FailingSendHandler()) { BaseAddress = new Uri(chain.Anvil.Url), Timeout = TimeSpan.FromSeconds(5) };
        var rpc = new EthRpcClient(http);
        var nonces = new NonceManager();
        var o = Options.Create(chain.Options);
        var sender = new TransactionSender(rpc, nonces, new FeeEstimator(o), o);

        await Assert.ThrowsAsync<ChainUnavailableException>(() => sender.TransferAsync(key, EthKey.Generate().Address, 1));

        // The failed send did not consume nonce 0: the next transaction gets it, so no gap blocks later ones.
        Assert.Equal(0UL, await nonces.ReserveAsync(key.Address, rpc, CancellationToken.None));
    }

    /// <summary>Passes every request to the node except eth_sendRawTransaction, which fails like a dropped connection.</summary>
    private sealed class FailingSendHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            return body.Contains("eth_sendRawTransaction", StringComparison.Ordinal)
                ? throw new HttpRequestException("connection reset (simulated)")
                : await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task NodeThatNeverAnswers_TimesOutWithChainUnavailable()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptTcpClientAsync());
                }
            }
            catch (ObjectDisposedException)
            {
            }
            catch (SocketException)
            {
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var (rpc, _, _, http) = Client(OptionsFor($"http://127.0.0.1:{port}", TimeSpan.FromMilliseconds(500)));
        using (http)
        {
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<ChainUnavailableException>(() => rpc.EthChainIdAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
            Assert.Contains("did not answer", ex.Message, StringComparison.Ordinal);
        }

        silent.Stop();
        accepted.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task CallerCancellation_IsACancellation_NotAChainError()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.Rpc.EthBlockNumberAsync(cts.Token));
    }

    [Fact]
    public async Task UnknownMethod_SurfacesTheNodesErrorCodeAndMessage()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => chain.Rpc.RequestAsync("eth_noSuchMethod", null, r => r.GetRawText()));
        Assert.Equal(-32601, ex.Code);
        Assert.Equal("eth_noSuchMethod", ex.Method);
        Assert.False(string.IsNullOrEmpty(ex.RpcMessage));
    }

    [Fact]
    public async Task RevertedInABlock_WithoutEstimate_ThrowsWithTheReasonAndTheTransactionHash()
    {
        var intruder = await chain.NewFundedKeyAsync();
        var request = chain.Contract.CreateTransaction("registerDoctor", intruder.Address) with { GasLimit = 100_000 };

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Sender.SendAndWaitAsync(intruder, request));

        Assert.Equal("NotOwner", ex.ErrorName);
        Assert.NotNull(ex.TransactionHash);
        var receipt = await chain.Rpc.EthGetTransactionReceiptAsync(ex.TransactionHash);
        Assert.False(receipt!.Succeeded);
    }

    [Fact]
    public async Task NotMinedInTime_ThrowsTransactionTimeout_AndAChainThatDiesWhileWaiting_ThrowsChainUnavailable()
    {
        // A chain that mines once an hour: the transaction stays pending.
        var anvil = await AnvilProcess.StartAsync(blockTimeSeconds: 3600);
        var options = OptionsFor(anvil.Url, receiptTimeout: TimeSpan.FromSeconds(1));
        var (_, sender, _, http) = Client(options);
        using (http)
        {
            var sent = await sender.SendAsync(DevKey, new TransactionRequest { To = EthKey.Generate().Address, Value = 1, GasLimit = 21_000 });

            var watch = Stopwatch.StartNew();
            var timeout = await Assert.ThrowsAsync<TransactionTimeoutException>(() => sender.WaitForReceiptAsync(sent));
            Assert.Equal(sent.Hash, timeout.TransactionHash);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");

            await anvil.DisposeAsync();
            watch.Restart();
            await Assert.ThrowsAsync<ChainUnavailableException>(() => sender.WaitForReceiptAsync(sent));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task RejectedTransaction_GivesItsNonceBack_SoTheNextOneMinesWithoutAGap()
    {
        var key = await chain.NewFundedKeyAsync(); // 10 ether
        var nonces = new NonceManager();
        var sender = chain.NewSender(nonces);

        var tooMuch = await Assert.ThrowsAsync<RpcException>(() => sender.TransferAsync(key, EthKey.Generate().Address, BigInteger.Pow(10, 21)));
        Assert.Contains("funds", tooMuch.RpcMessage, StringComparison.OrdinalIgnoreCase);

        var receipt = await sender.TransferAsync(key, EthKey.Generate().Address, 1);
        var tx = await chain.Rpc.EthGetTransactionByHashAsync(receipt.TransactionHash);
        Assert.Equal(0UL, tx!.Nonce);
    }

    [Fact]
    public async Task AccountUsedElsewhere_NonceTooLow_IsRecoveredByResync()
    {
        var key = await chain.NewFundedKeyAsync();
        var ours = chain.NewSender(new NonceManager());
        var otherProcess = chain.NewSender(new NonceManager());

        await ours.TransferAsync(key, EthKey.Generate().Address, 1); // our manager now expects nonce 1
        await otherProcess.TransferAsync(key, EthKey.Generate().Address, 1); // someone else uses nonce 1

        var receipt = await ours.TransferAsync(key, EthKey.Generate().Address, 1);

        Assert.True(receipt.Succeeded);
        Assert.Equal(2UL, (await chain.Rpc.EthGetTransactionByHashAsync(receipt.TransactionHash))!.Nonce);
    }

    [Fact]
    public async Task FundAccount_SendsTheConfiguredFundingFromTheManager()
    {
        var account = EthKey.Generate().Address;
        var receipt = await chain.Sender.FundAccountAsync(account);

        Assert.Equal(chain.Manager.Address, receipt.From);
        Assert.Equal(BigInteger.Pow(10, 18), await chain.Rpc.EthGetBalanceAsync(account));
        Assert.Equal(new BigInteger(1_500_000_000_000_000_000), TransactionSender.EtherToWei(1.5m));
    }
}
