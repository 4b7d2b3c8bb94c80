using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>Many concurrent transactions from a few accounts: consecutive nonces, none reused, all mined.</summary>
public abstract class ConcurrencyTests(ChainFixture chain)
{
    protected const int Accounts = 10;
    protected const int PerAccount = 20;

    /// <summary>
    /// Sends them all at once and waits for every receipt. Also gives the chain's block number just before the first
    /// send and just after the last one was accepted: the blocks the pool could fill meanwhile.
    /// </summary>
    protected async Task<(IReadOnlyList<SentTransaction> Sent, IReadOnlyList<RpcReceipt> Receipts, ulong BlockBefore, ulong BlockAfterSends)> SendConcurrentlyAsync()
    {
        var patients = await Task.WhenAll(Enumerable.Range(0, Accounts).Select(_ => chain.NewPatientAsync()));
        var requests = patients
            .SelectMany(p => Enumerable.Range(0, PerAccount).Select(_ => (p.Key, Id: Guid.CreateVersion7())))
            .ToArray();
        Random.Shared.Shuffle(requests);

        var before = await chain.Rpc.EthBlockNumberAsync();
        var sent = await Task.WhenAll(requests.Select(r =>
            chain.Sender.SendAsync(r.Key, chain.Contract.CreateTransaction("addRecord", RecordIds.ToBytes16(r.Id), ChainFixture.Sha256Of(r.Id.ToString())))));
        var afterSends = await chain.Rpc.EthBlockNumberAsync();
        var receipts = await Task.WhenAll(sent.Select(s => chain.Sender.WaitForReceiptAsync(s)));

        // No gap and no reuse: each account used exactly nonces 0..PerAccount-1, and the chain agrees.
        foreach (var group in sent.GroupBy(s => s.From))
        {
            Assert.Equal(Enumerable.Range(0, PerAccount).Select(i => (ulong)i), group.Select(s => s.Nonce).Order());
            Assert.Equal((ulong)PerAccount, await chain.Rpc.EthGetTransactionCountAsync(group.Key, BlockParameter.Latest));
        }

        Assert.All(receipts, r => Assert.True(r.Succeeded));
        Assert.Equal(Accounts * PerAccount, receipts.Select(r => r.TransactionHash).Distinct().Count());
        return (sent, receipts, before, afterSends);
    }
}

public class AutomineConcurrencyTests(AutomineChainFixture chain) : ConcurrencyTests(chain), IClassFixture<AutomineChainFixture>
{
    [Fact]
    public async Task TwoHundredConcurrentTransactionsFromTenAccounts_AllMine_WithoutNonceGapOrReuse() =>
        await SendConcurrentlyAsync();
}

public class IntervalConcurrencyTests(IntervalChainFixture chain, Xunit.Abstractions.ITestOutputHelper output) : ConcurrencyTests(chain), IClassFixture<IntervalChainFixture>
{
    [Fact]
    public async Task TwoHundredConcurrentTransactionsFromTenAccounts_AtOneBlockASecond_LandInAFewBlocks()
    {
        var (_, receipts, before, afterSends) = await SendConcurrentlyAsync();

        // Each transaction is mined in the first block or two after the pool has it: the blocks used are those mined
        // while the sends went on (one, when the machine is idle; more on a busy one) plus one or two.
        var blocks = receipts.Select(r => r.BlockNumber).Distinct().Count();
        var duringSends = (int)(afterSends - before);
        output.WriteLine($"200 transactions landed in {blocks} block(s); {duringSends} block(s) were mined while they were being sent");
        Assert.True(blocks <= duringSends + 3, $"200 transactions spread over {blocks} blocks, though the sends took {duringSends}; each should land in the next block or two");
        Assert.All(receipts, r => Assert.True(r.BlockNumber <= afterSends + 2, $"A transaction waited until block {r.BlockNumber}; the sends ended at {afterSends}"));
    }
}
