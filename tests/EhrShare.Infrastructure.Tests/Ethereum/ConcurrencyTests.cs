using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>Many concurrent transactions from a few accounts: consecutive nonces, none reused, all mined.</summary>
public abstract class ConcurrencyTests(ChainFixture chain)
{
    protected const int Accounts = 10;
    protected const int PerAccount = 20;

    protected async Task<(IReadOnlyList<SentTransaction> Sent, IReadOnlyList<RpcReceipt> Receipts)> SendConcurrentlyAsync()
    {
        var patients = await Task.WhenAll(Enumerable.Range(0, Accounts).Select(_ => chain.NewPatientAsync()));
        var requests = patients
            .SelectMany(p => Enumerable.Range(0, PerAccount).Select(_ => (p.Key, Id: Guid.CreateVersion7())))
            .ToArray();
        Random.Shared.Shuffle(requests);

        var sent = await Task.WhenAll(requests.Select(r =>
            chain.Sender.SendAsync(r.Key, chain.Contract.CreateTransaction("addRecord", RecordIds.ToBytes16(r.Id), ChainFixture.Sha256Of(r.Id.ToString())))));
        var receipts = await Task.WhenAll(sent.Select(s => chain.Sender.WaitForReceiptAsync(s)));

        // No gap and no reuse: each account used exactly nonces 0..PerAccount-1, and the chain agrees.
        foreach (var group in sent.GroupBy(s => s.From))
        {
            Assert.Equal(Enumerable.Range(0, PerAccount).Select(i => (ulong)i), group.Select(s => s.Nonce).Order());
            Assert.Equal((ulong)PerAccount, await chain.Rpc.EthGetTransactionCountAsync(group.Key, BlockParameter.Latest));
        }

        Assert.All(receipts, r => Assert.True(r.Succeeded));
        Assert.Equal(Accounts * PerAccount, receipts.Select(r => r.TransactionHash).Distinct().Count());
        return (sent, receipts);
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
        var (_, receipts) = await SendConcurrentlyAsync();

        var blocks = receipts.Select(r => r.BlockNumber).Distinct().Count();
        output.WriteLine($"200 transactions landed in {blocks} block(s)");
        Assert.True(blocks <= 3, $"200 transactions spread over {blocks} blocks; they should share the next block or two");
    }
}
