using EhrShare.Infrastructure.Chain.Index;
using EhrShare.Infrastructure.Tests.Ethereum;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Infrastructure.Tests.Chain.Index;

/// <summary>The chain indexer against anvil and the test stack's MariaDB.</summary>
public sealed class ChainIndexWriterTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>, IAsyncLifetime
{
    private readonly ThrowawayDatabaseContexts _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private async Task SomeEventsAsync(int doctors)
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        for (var i = 0; i < doctors; i++)
        {
            var doctor = await chain.NewDoctorAsync();
            await chain.Contract.RequestAccessAsync(doctor, patient.Address);
            await chain.Contract.GrantAccessAsync(patient, doctor.Address, DateTimeOffset.UtcNow.AddDays(1));
        }
    }

    [Fact]
    public async Task CatchUp_InSmallRanges_StoresEveryEventWithItsBlockHashLogIndexAndTransaction()
    {
        await SomeEventsAsync(3);
        var writer = ChainIndexHarness.Writer(chain, _db, o => o.BlockRange = 2);

        var steps = await ChainIndexHarness.CatchUpAsync(writer);

        Assert.True(steps.Count(s => s == ChainIndexStep.Indexed) > 3, "the blocks were read in ranges of at most 2");
        await using var db = _db.New();
        Assert.Equal(await ChainIndexHarness.LiveAsync(chain), await ChainIndexHarness.IndexedAsync(db));
        var state = await db.ChainIndex.SingleAsync();
        Assert.Equal((long)await chain.Rpc.EthBlockNumberAsync(), state.Block);
        Assert.Equal(chain.Contract.Address.ToString(), state.ContractAddress);
        var grant = await db.ChainEvents.FirstAsync(e => e.Name == "PermissionGranted");
        Assert.NotNull(grant.Patient);
        Assert.NotNull(grant.Doctor);
        Assert.NotNull(grant.ExpiresAt);
        Assert.True(grant.At > 0);
    }

    [Fact]
    public async Task AfterARestart_ANewWriterResumesFromTheCursor_WithoutDuplicates()
    {
        await SomeEventsAsync(1);
        await ChainIndexHarness.CatchUpAsync(ChainIndexHarness.Writer(chain, _db));
        long cursor;
        await using (var db = _db.New())
        {
            cursor = (await db.ChainIndex.SingleAsync()).Block;
        }

        await SomeEventsAsync(2);
        var restarted = ChainIndexHarness.Writer(chain, _db);
        Assert.Equal(cursor, await restarted.IndexedThroughAsync(default));
        await ChainIndexHarness.CatchUpAsync(restarted);

        await using var check = _db.New();
        Assert.Equal(await ChainIndexHarness.LiveAsync(chain), await ChainIndexHarness.IndexedAsync(check));
    }

    [Fact]
    public async Task Confirmations_KeepTheIndexThatManyBlocksBehindTheHead()
    {
        await SomeEventsAsync(1);
        var writer = ChainIndexHarness.Writer(chain, _db, o => o.Confirmations = 3);

        await ChainIndexHarness.CatchUpAsync(writer);

        var head = (long)await chain.Rpc.EthBlockNumberAsync();
        Assert.Equal(head - 3, await writer.IndexedThroughAsync(default));
        await using var db = _db.New();
        Assert.Equal((await ChainIndexHarness.LiveAsync(chain)).Where(l => l.Block <= head - 3), await ChainIndexHarness.IndexedAsync(db));
    }

    [Fact]
    public async Task TwoWritersAtOnce_NeitherStoresARangeTwiceNorLeavesAGap()
    {
        await SomeEventsAsync(3);
        var a = ChainIndexHarness.Writer(chain, _db, o => o.BlockRange = 3);
        var b = ChainIndexHarness.Writer(chain, _db, o => o.BlockRange = 5);

        var steps = await Task.WhenAll(ChainIndexHarness.CatchUpAsync(a), ChainIndexHarness.CatchUpAsync(b));

        await using var db = _db.New();
        Assert.Equal(await ChainIndexHarness.LiveAsync(chain), await ChainIndexHarness.IndexedAsync(db));
        Assert.Contains(steps.SelectMany(s => s), s => s == ChainIndexStep.Indexed);
    }

    [Fact]
    public async Task Reset_EmptiesTheIndex_AndTheNextStepsReadItAgainFromBlockZero()
    {
        await SomeEventsAsync(1);
        var writer = ChainIndexHarness.Writer(chain, _db);
        await ChainIndexHarness.CatchUpAsync(writer);

        Assert.True(await writer.ResetAsync(default));
        Assert.Equal(-1, await writer.IndexedThroughAsync(default));
        await using (var db = _db.New())
        {
            Assert.Equal(0, await db.ChainEvents.CountAsync());
        }

        await ChainIndexHarness.CatchUpAsync(writer);
        await using var check = _db.New();
        Assert.Equal(await ChainIndexHarness.LiveAsync(chain), await ChainIndexHarness.IndexedAsync(check));
    }
}
