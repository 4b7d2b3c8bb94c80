using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Benchmarks.Ethereum;

/// <summary>
/// Concurrent transactions from many accounts on a chain mining one block a second: the batch should land in the next
/// block or two, not one transaction per block. Time per batch ≈ the wait for the next block(s); the blocks each batch
/// spanned are printed at the end and written to BenchmarkDotNet.Artifacts/eth-throughput.txt.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 6)]
public class ThroughputBenchmarks
{
    private readonly List<int> _blocksPerBatch = [];
    private BenchChain _chain = null!;
    private EthKey[] _accounts = [];
    private EthAddress _recipient;

    [Params(20)]
    public int Accounts { get; set; }

    [Params(10)]
    public int PerAccount { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _chain = await BenchChain.StartAsync(blockTimeSeconds: 1);
        _accounts = await Task.WhenAll(Enumerable.Range(0, Accounts).Select(_ => _chain.NewFundedKeyAsync()));
        _recipient = EthKey.Generate().Address;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var line = $"{Accounts * PerAccount} concurrent transfers from {Accounts} accounts at --block-time 1: blocks spanned per batch = [{string.Join(", ", _blocksPerBatch)}]";
        Console.WriteLine(line);
        Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
        await File.AppendAllTextAsync(Path.Combine("BenchmarkDotNet.Artifacts", "eth-throughput.txt"), line + Environment.NewLine);
        await _chain.DisposeAsync();
    }

    [Benchmark(Description = "200 concurrent transactions, 20 accounts, 1 s blocks: send all, await all receipts")]
    public async Task<int> ConcurrentBatch()
    {
        var request = new TransactionRequest { To = _recipient, Value = 1, GasLimit = 21_000, Description = "transfer" };
        var receipts = await Task.WhenAll(_accounts
            .SelectMany(a => Enumerable.Repeat(a, PerAccount))
            .Select(a => _chain.Sender.SendAndWaitAsync(a, request)));
        var blocks = receipts.Select(r => r.BlockNumber).Distinct().Count();
        _blocksPerBatch.Add(blocks);
        return blocks;
    }
}
