using EhrShare.Core.Common;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Chain.Index;

/// <summary>
/// What a page that lists the chain's past can show: the index through <see cref="IndexedThrough"/>, plus
/// <see cref="Tail"/>, the events after it read live from the chain (a few blocks at most), so that what was just mined
/// shows at once. <see cref="AsOfBlock"/> is the block the whole is as of.
/// </summary>
public sealed record ChainEventWindow(long IndexedThrough, ulong AsOfBlock, IReadOnlyList<LedgerEvent> Tail)
{
    /// <summary>The index is further behind than <see cref="ChainIndexOptions.MaxTailBlocks"/>: the page shows it alone.</summary>
    public bool CatchingUp { get; init; }

    /// <summary>The chain did not answer: the page shows the index alone.</summary>
    public bool ChainUnavailable { get; init; }

    /// <summary>The latest block when asked (null when the chain did not answer).</summary>
    public ulong? LatestBlock { get; init; }
}

/// <summary>Reads the index's cursor and the live tail after it; access decisions never come from here.</summary>
public sealed class ChainEventWindows(IEhrDbContext db, IAccessLedger ledger, IOptions<ChainIndexOptions> options)
{
    /// <summary>The cursor, then the tail for <paramref name="tailQuery"/> (its <see cref="LedgerEventQuery.FromBlock"/> is set here).</summary>
    public async Task<ChainEventWindow> OpenAsync(LedgerEventQuery tailQuery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tailQuery);
        // The cursor first: rows read afterwards are limited to it, so an indexer moving on meanwhile adds nothing twice.
        var through = await db.ChainIndex.AsNoTracking().Where(s => s.Id == ChainIndexState.SingletonId)
            .Select(s => (long?)s.Block).FirstOrDefaultAsync(cancellationToken) ?? -1;
        var indexedAsOf = through < 0 ? 0UL : (ulong)through;
        ulong latest;
        try
        {
            latest = await ledger.GetBlockNumberAsync(cancellationToken);
        }
        catch (DependencyUnavailableException)
        {
            return new ChainEventWindow(through, indexedAsOf, []) { ChainUnavailable = true };
        }

        if ((long)latest <= through)
        {
            return new ChainEventWindow(through, indexedAsOf, []) { LatestBlock = latest };
        }

        if ((long)latest - through > options.Value.MaxTailBlocks)
        {
            return new ChainEventWindow(through, indexedAsOf, []) { CatchingUp = true, LatestBlock = latest };
        }

        try
        {
            var tail = (await ledger.GetEventsAsync(tailQuery with { FromBlock = (ulong)(through + 1) }, cancellationToken))
                .Where(e => (long)e.BlockNumber > through).ToList();
            var asOf = tail.Count == 0 ? latest : Math.Max(latest, tail.Max(e => e.BlockNumber));
            return new ChainEventWindow(through, asOf, tail) { LatestBlock = latest };
        }
        catch (DependencyUnavailableException)
        {
            return new ChainEventWindow(through, indexedAsOf, []) { ChainUnavailable = true };
        }
    }
}
