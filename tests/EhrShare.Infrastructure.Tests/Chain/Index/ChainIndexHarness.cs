using EhrShare.Core.Chain.Index;
using EhrShare.Infrastructure.Chain.Index;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.Tests.Ethereum;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrShare.Infrastructure.Tests.Chain.Index;

/// <summary>Chain index writers on a throw-away app database, against a fixture's anvil and contract.</summary>
internal static class ChainIndexHarness
{
    public static ChainIndexWriter Writer(ChainFixture chain, ThrowawayDatabaseContexts contexts, Action<ChainIndexOptions>? configure = null)
    {
        var options = new ChainIndexOptions();
        configure?.Invoke(options);
        var services = new ServiceCollection().AddSingleton(chain.Contract).BuildServiceProvider();
        return new ChainIndexWriter(
            contexts.New(),
            chain.Rpc,
            services,
            Microsoft.Extensions.Options.Options.Create(chain.Options),
            Microsoft.Extensions.Options.Options.Create(options),
            TimeProvider.System,
            NullLogger<ChainIndexWriter>.Instance);
    }

    /// <summary>Steps until the writer reports it has caught up; returns every step taken.</summary>
    public static async Task<List<ChainIndexStep>> CatchUpAsync(ChainIndexWriter writer)
    {
        var steps = new List<ChainIndexStep>();
        ChainIndexStep step;
        do
        {
            step = await writer.StepAsync(default);
            steps.Add(step);
            Assert.True(steps.Count < 10_000, "the indexer never caught up");
        }
        while (step != ChainIndexStep.CaughtUp);

        return steps;
    }

    /// <summary>The contract's logs as the node has them now: (block hash, log index, transaction, block).</summary>
    public static async Task<List<(string BlockHash, int LogIndex, string Tx, long Block)>> LiveAsync(ChainFixture chain) =>
        (await chain.Rpc.EthGetLogsAsync(new LogFilter { Addresses = [chain.Contract.Address] }))
        .Where(l => EhrAccessEventDecoder.Decode(l) is not null)
        .Select(l => (l.BlockHash.ToLowerInvariant(), (int)l.LogIndex, l.TransactionHash.ToLowerInvariant(), (long)l.BlockNumber))
        .OrderBy(x => x.Item4).ThenBy(x => x.Item2).ToList();

    public static async Task<List<(string BlockHash, int LogIndex, string Tx, long Block)>> IndexedAsync(EhrDbContext db) =>
        (await db.ChainEvents.AsNoTracking().ToListAsync())
        .Select(e => (e.BlockHash.ToLowerInvariant(), e.LogIndex, e.TransactionHash.ToLowerInvariant(), e.BlockNumber))
        .OrderBy(x => x.Item4).ThenBy(x => x.Item2).ToList();
}

/// <summary>A throw-away, migrated app database and new contexts on it.</summary>
public sealed class ThrowawayDatabaseContexts : IAsyncLifetime
{
    private readonly List<EhrDbContext> _contexts = [];

    public EhrShare.Infrastructure.Tests.Persistence.ThrowawayAppDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await EhrShare.Infrastructure.Tests.Persistence.ThrowawayAppDatabase.CreateAsync();

    public EhrDbContext New()
    {
        var context = new EhrDbContext(Database.Options);
        _contexts.Add(context);
        return context;
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _contexts)
        {
            await c.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
