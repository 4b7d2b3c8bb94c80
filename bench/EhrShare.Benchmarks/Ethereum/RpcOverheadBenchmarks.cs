using System.Numerics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Benchmarks.Ethereum;

/// <summary>
/// The client's overhead over a minimal hand-written HttpClient call doing the same work against the same anvil
/// (automine), in the same run: an <c>eth_call</c> of <c>hasAccess</c>, and a transfer sent and awaited until its
/// receipt. Target: ratio ≤ 1.1.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RpcOverheadBenchmarks
{
    private static readonly int[] PollDelays = [5, 10, 25, 50, 100];
    private BenchChain _chain = null!;
    private HttpClient _raw = null!;
    private string _callJson = "";
    private EthKey _patient = null!;
    private EthKey _doctor = null!;
    private EthKey _rawSender = null!;
    private EthKey _clientSender = null!;
    private ulong _rawNonce;
    private EthAddress _recipient;
    private TransactionRequest _transfer = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _chain = await BenchChain.StartAsync(blockTimeSeconds: null);
        _raw = BenchChain.NewHttpClient(_chain.Url);
        _patient = await _chain.NewFundedKeyAsync();
        _doctor = await _chain.NewFundedKeyAsync();
        await _chain.Contract.RegisterPatientAsync(_chain.Manager, _patient.Address, 1, 1);
        await _chain.Contract.RegisterDoctorAsync(_chain.Manager, _doctor.Address);
        await _chain.Contract.GrantAccessAsync(_patient, _doctor.Address, DateTimeOffset.UtcNow.AddYears(10));

        var data = _chain.Contract.Abi.Function("hasAccess").EncodeCall(_patient.Address, _doctor.Address);
        _callJson = $$"""{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"{{_chain.Contract.Address.ToLowerHex()}}","input":"{{Hex.Encode(data)}}"},"latest"]}""";

        _rawSender = await _chain.NewFundedKeyAsync();
        _clientSender = await _chain.NewFundedKeyAsync();
        _recipient = EthKey.Generate().Address;
        _transfer = new TransactionRequest { To = _recipient, Value = 1, GasLimit = 21_000, Description = "transfer" };
        if (!await RawEthCall() || !await ClientEthCall())
        {
            throw new InvalidOperationException("hasAccess should be true");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _raw.Dispose();
        await _chain.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "eth_call: minimal HttpClient")]
    [BenchmarkCategory("eth_call")]
    public async Task<bool> RawEthCall()
    {
        using var content = new StringContent(_callJson, Encoding.UTF8, "application/json");
        using var response = await _raw.PostAsync((Uri?)null, content);
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("result").GetString()!;
        return result[^1] == '1';
    }

    [Benchmark(Description = "eth_call: EhrAccessContract.HasAccessAsync")]
    [BenchmarkCategory("eth_call")]
    public Task<bool> ClientEthCall() => _chain.Contract.HasAccessAsync(_patient.Address, _doctor.Address);

    [Benchmark(Baseline = true, Description = "transaction: minimal HttpClient send + receipt")]
    [BenchmarkCategory("transaction")]
    public async Task<string> RawTransaction()
    {
        // Same work as the client: sign a type-2 transfer, send it, poll the receipt with the same schedule.
        var signed = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = _rawNonce++,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 100_000_000_000,
            GasLimit = 21_000,
            To = _recipient,
            Value = BigInteger.One,
        }.Sign(_rawSender);
        var send = $$"""{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["{{Hex.Encode(signed.Raw)}}"]}""";
        string hash;
        using (var content = new StringContent(send, Encoding.UTF8, "application/json"))
        using (var response = await _raw.PostAsync((Uri?)null, content))
        using (var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            hash = doc.RootElement.GetProperty("result").GetString()!;
        }

        var poll = $$"""{"jsonrpc":"2.0","id":2,"method":"eth_getTransactionReceipt","params":["{{hash}}"]}""";
        for (var i = 0; ; i++)
        {
            using var content = new StringContent(poll, Encoding.UTF8, "application/json");
            using var response = await _raw.PostAsync((Uri?)null, content);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (doc.RootElement.GetProperty("result").ValueKind == JsonValueKind.Object)
            {
                return hash;
            }

            await Task.Delay(PollDelays[Math.Min(i, PollDelays.Length - 1)]);
        }
    }

    [Benchmark(Description = "transaction: TransactionSender.SendAndWaitAsync")]
    [BenchmarkCategory("transaction")]
    public async Task<string> ClientTransaction() =>
        (await _chain.Sender.SendAndWaitAsync(_clientSender, _transfer)).TransactionHash;
}
