using EhrShare.Infrastructure.Chain.Index;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Transactions;
using EhrShare.Infrastructure.Tests.Ethereum;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Infrastructure.Tests.Chain.Index;

/// <summary>
/// A reorganisation on anvil: blocks the index has read are replaced (evm_snapshot, then evm_revert and other
/// transactions in blocks of the same numbers). An anvil of its own: the revert sets back every account's nonce.
/// </summary>
public sealed class ChainIndexReorgTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>, IAsyncLifetime
{
    private readonly ThrowawayDatabaseContexts _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task ABlockReplaced_IsFound_AndTheIndexIsReadAgainFromTheForkPoint()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var writer = ChainIndexHarness.Writer(chain, _db);
        await ChainIndexHarness.CatchUpAsync(writer);
        var forkBase = await writer.IndexedThroughAsync(default);

        var snapshot = await chain.Rpc.RequestAsync("evm_snapshot", null, r => r.GetString()!);
        var doctor = await chain.NewDoctorAsync();
        var orphaned = await chain.Contract.RequestAccessAsync(doctor, patient.Address);
        await ChainIndexHarness.CatchUpAsync(writer);
        await using (var db = _db.New())
        {
            Assert.True(await db.ChainEvents.AnyAsync(e => e.TransactionHash == orphaned.TransactionHash));
        }

        // The chain goes back to the snapshot and grows another way: the same block numbers, other blocks.
        Assert.True(await chain.Rpc.RequestAsync("evm_revert", w => w.WriteStringValue(snapshot), r => r.GetBoolean()));
        var fresh = new EhrAccessContract(chain.NewSender(new NonceManager()), chain.Contract.Address);
        var other = await chain.NewFundedKeyAsync();
        await fresh.RegisterDoctorAsync(chain.Manager, other.Address);
        var kept = await fresh.RequestAccessAsync(other, patient.Address);
        await fresh.RegisterDoctorAsync(chain.Manager, (await chain.NewFundedKeyAsync()).Address);

        var steps = await ChainIndexHarness.CatchUpAsync(writer);

        Assert.Equal(ChainIndexStep.Reorganised, steps[0]);
        await using var check = _db.New();
        Assert.Equal(await ChainIndexHarness.LiveAsync(chain), await ChainIndexHarness.IndexedAsync(check));
        Assert.False(await check.ChainEvents.AnyAsync(e => e.TransactionHash == orphaned.TransactionHash));
        Assert.True(await check.ChainEvents.AnyAsync(e => e.TransactionHash == kept.TransactionHash));
        Assert.True(await writer.IndexedThroughAsync(default) > forkBase);
    }
}
