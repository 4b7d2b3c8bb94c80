using EhrShare.Core.Chain.Index;
using EhrShare.Core.Notifications;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Chain.Index;

/// <summary>What one indexing step did.</summary>
public enum ChainIndexStep
{
    /// <summary>No contract is configured: nothing to index.</summary>
    NoContract,

    /// <summary>The index has every block up to the head less the confirmations.</summary>
    CaughtUp,

    /// <summary>A range of blocks was read and stored.</summary>
    Indexed,

    /// <summary>The block at the cursor is no longer canonical: the index went back to the fork point.</summary>
    Reorganised,

    /// <summary>The index was emptied (a rebuild, or another contract): it starts again from block 0.</summary>
    Reset,

    /// <summary>The range held far more logs than a step stores: nothing stored, the next step reads a smaller one.</summary>
    Narrowed,

    /// <summary>The cursor moved meanwhile (another indexer, a rebuild) or the chain changed during the read: nothing stored, try again.</summary>
    Conflict,
}

/// <summary>
/// Writes the chain index, one bounded step at a time: reads the contract's logs of the next range of blocks
/// (<see cref="ChainIndexOptions.BlockRange"/>, up to the head less <see cref="ChainIndexOptions.Confirmations"/>) and
/// stores them with the cursor in one transaction. Before each step the cursor's block hash is checked against the
/// chain; when it is no longer canonical, the index goes back to the newest checkpoint still canonical (the fork point)
/// and reads again from there. The cursor is a concurrency token, so two writers (two app instances, or a rebuild
/// beside a running app) never store a range twice or leave a gap: the loser's transaction is rolled back.
/// </summary>
public sealed class ChainIndexWriter(
    EhrDbContext db,
    EthRpcClient rpc,
    IServiceProvider services,
    IOptions<ChainOptions> chainOptions,
    IOptions<ChainIndexOptions> options,
    TimeProvider clock,
    ILogger<ChainIndexWriter> logger)
{
    /// <summary>Logs per range the range is sized for: a dense stretch of chain is read in smaller ranges.</summary>
    private const int TargetLogsPerRange = 2000;

    private readonly ContractAbi _abi = ContractArtifact.EhrAccess.Abi;

    /// <summary>
    /// Blocks in the next range: starts small (again after each catch-up, as a burst of transactions may follow), doubles
    /// while ranges stay under the target, up to BlockRange, and shrinks to the target's share after a dense one.
    /// </summary>
    private long _range = InitialRange;

    private const long InitialRange = 8;

    /// <summary>The cursor: the last block indexed (-1: none yet).</summary>
    public async Task<long> IndexedThroughAsync(CancellationToken cancellationToken) =>
        await db.ChainIndex.AsNoTracking().Where(s => s.Id == ChainIndexState.SingletonId).Select(s => (long?)s.Block)
            .FirstOrDefaultAsync(cancellationToken) ?? -1;

    public async Task<ChainIndexStep> StepAsync(CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (chainOptions.Value.GetContractAddress() is not { } contract)
        {
            return ChainIndexStep.NoContract;
        }

        var state = await db.ChainIndex.FirstOrDefaultAsync(s => s.Id == ChainIndexState.SingletonId, cancellationToken);
        if (state is null)
        {
            db.ChainIndex.Add(new ChainIndexState { ContractAddress = contract.ToString(), UpdatedAt = clock.GetUtcNow() });
            return await SaveAsync(null, cancellationToken) ? ChainIndexStep.Reset : ChainIndexStep.Conflict;
        }

        if (!string.Equals(state.ContractAddress, contract.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            if ((await rpc.EthGetCodeAsync(contract, BlockParameter.Latest, cancellationToken)).Length == 0)
            {
                return ChainIndexStep.NoContract; // A wrong address in this instance's settings does not empty the index.
            }

            logger.LogInformation("The chain index was of contract {OldContract}; indexing {Contract} from block 0", state.ContractAddress, contract);
            return await ResetAsync(state, contract, cancellationToken) ? ChainIndexStep.Reset : ChainIndexStep.Conflict;
        }

        var o = options.Value;
        var head = await rpc.EthBlockNumberAsync(cancellationToken);
        if (state.Block >= 0)
        {
            var atCursor = await rpc.EthGetBlockByNumberAsync(BlockParameter.Number((ulong)state.Block), false, cancellationToken);
            if (atCursor is null || !string.Equals(atCursor.Hash, state.BlockHash, StringComparison.OrdinalIgnoreCase))
            {
                return await RewindAsync(state, cancellationToken);
            }
        }

        var target = (long)head - o.Confirmations;
        if (target <= state.Block)
        {
            _range = InitialRange;
            return ChainIndexStep.CaughtUp;
        }

        var from = state.Block + 1;
        _range = Math.Clamp(_range, 1, o.BlockRange);
        var to = Math.Min(target, from + _range - 1);
        var end = await rpc.EthGetBlockByNumberAsync(BlockParameter.Number((ulong)to), false, cancellationToken);
        if (end is null)
        {
            return ChainIndexStep.Conflict; // The node answered a head it cannot serve yet.
        }

        var logs = (await rpc.EthGetLogsAsync(
                new LogFilter { FromBlock = BlockParameter.Number((ulong)from), ToBlock = BlockParameter.Number((ulong)to), Addresses = [contract] },
                cancellationToken))
            .Where(l => !l.Removed).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList();
        if (logs.Any(l => l.BlockNumber == (ulong)to && !string.Equals(l.BlockHash, end.Hash, StringComparison.OrdinalIgnoreCase)))
        {
            return ChainIndexStep.Conflict; // The chain reorganised between the two calls: read again.
        }

        var read = to - from + 1;
        _range = logs.Count > TargetLogsPerRange
            ? Math.Max(1, read * TargetLogsPerRange / logs.Count)
            : logs.Count < TargetLogsPerRange / 2 ? read * 2 : read;
        if (logs.Count > 4 * TargetLogsPerRange && read > 1)
        {
            return ChainIndexStep.Narrowed;
        }

        var rows = await DecodeAsync(logs, cancellationToken);
        db.ChainEvents.AddRange(rows);
        state.Block = to;
        state.BlockHash = end.Hash;
        state.UpdatedAt = clock.GetUtcNow();
        db.ChainIndexCheckpoints.Add(new ChainIndexCheckpoint { BlockNumber = to, BlockHash = end.Hash });
        if (!await SaveAsync(async () =>
            {
                // Keep the newest checkpoints only.
                var keepFrom = await db.ChainIndexCheckpoints.OrderByDescending(c => c.BlockNumber).Skip(o.CheckpointsKept - 1)
                    .Select(c => (long?)c.BlockNumber).FirstOrDefaultAsync(cancellationToken);
                if (keepFrom is { } k)
                {
                    await db.ChainIndexCheckpoints.Where(c => c.BlockNumber < k).ExecuteDeleteAsync(cancellationToken);
                }
            }, cancellationToken))
        {
            return ChainIndexStep.Conflict;
        }

        await NotifySuspensionsAsync(rows);
        if (rows.Count > 0)
        {
            logger.LogDebug("Chain index: {Count} event(s) of blocks {From}..{To}", rows.Count, from, to);
        }

        return ChainIndexStep.Indexed;
    }

    /// <summary>Empties the index; the next steps read it again from block 0.</summary>
    public async Task<bool> ResetAsync(CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var contract = chainOptions.Value.GetContractAddress()
            ?? throw new InvalidOperationException("Chain:ContractAddress is not set: there is no contract to index.");
        var state = await db.ChainIndex.FirstOrDefaultAsync(s => s.Id == ChainIndexState.SingletonId, cancellationToken);
        if (state is null)
        {
            db.ChainIndex.Add(new ChainIndexState { ContractAddress = contract.ToString(), UpdatedAt = clock.GetUtcNow() });
            return await SaveAsync(async () =>
            {
                await db.ChainEvents.ExecuteDeleteAsync(cancellationToken);
                await db.ChainIndexCheckpoints.ExecuteDeleteAsync(cancellationToken);
            }, cancellationToken);
        }

        return await ResetAsync(state, contract, cancellationToken);
    }

    private async Task<bool> ResetAsync(ChainIndexState state, EthAddress contract, CancellationToken cancellationToken)
    {
        state.ContractAddress = contract.ToString();
        state.Block = -1;
        state.BlockHash = null;
        state.UpdatedAt = clock.GetUtcNow();
        return await SaveAsync(async () =>
        {
            await db.ChainEvents.ExecuteDeleteAsync(cancellationToken);
            await db.ChainIndexCheckpoints.ExecuteDeleteAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Back to the newest checkpoint whose block is still canonical (none: block 0), dropping everything after it.</summary>
    private async Task<ChainIndexStep> RewindAsync(ChainIndexState state, CancellationToken cancellationToken)
    {
        var checkpoints = await db.ChainIndexCheckpoints.AsNoTracking().OrderByDescending(c => c.BlockNumber).ToListAsync(cancellationToken);
        ChainIndexCheckpoint? fork = null;
        foreach (var c in checkpoints)
        {
            var block = await rpc.EthGetBlockByNumberAsync(BlockParameter.Number((ulong)c.BlockNumber), false, cancellationToken);
            if (block is not null && string.Equals(block.Hash, c.BlockHash, StringComparison.OrdinalIgnoreCase))
            {
                fork = c;
                break;
            }
        }

        var forkBlock = fork?.BlockNumber ?? -1;
        logger.LogWarning(
            "The chain reorganised: block {Block} of the chain index is no longer canonical; reading again from block {From}",
            state.Block, forkBlock + 1);
        state.Block = forkBlock;
        state.BlockHash = fork?.BlockHash;
        state.UpdatedAt = clock.GetUtcNow();
        return await SaveAsync(async () =>
        {
            await db.ChainEvents.Where(e => e.BlockNumber > forkBlock).ExecuteDeleteAsync(cancellationToken);
            await db.ChainIndexCheckpoints.Where(c => c.BlockNumber > forkBlock).ExecuteDeleteAsync(cancellationToken);
        }, cancellationToken)
            ? ChainIndexStep.Reorganised
            : ChainIndexStep.Conflict;
    }

    /// <summary>
    /// Runs <paramref name="before"/> and saves the tracked changes in one transaction; false (rolled back) when the
    /// cursor was moved by someone else meanwhile or the same event was stored by another writer.
    /// </summary>
    private async Task<bool> SaveAsync(Func<Task>? before, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            // The cursor row locked first: a second writer waits here for the first's commit, then sees the cursor
            // moved and gives up quietly (the concurrency token stays the guard for databases without row locks).
            var tracked = db.ChangeTracker.Entries<ChainIndexState>().FirstOrDefault(e => e.State == EntityState.Modified);
            if (tracked is not null)
            {
                var current = await db.Database
                    .SqlQuery<long>($"SELECT Block AS Value FROM ChainIndexState WHERE Id = {ChainIndexState.SingletonId} FOR UPDATE")
                    .ToListAsync(cancellationToken);
                if (current.Count != 1 || current[0] != tracked.Property(x => x.Block).OriginalValue)
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                    db.ChangeTracker.Clear();
                    return false;
                }
            }

            if (before is not null)
            {
                await before();
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            logger.LogDebug(e, "Chain index: another writer moved the cursor; trying again");
            return false;
        }
    }

    private async Task<List<IndexedChainEvent>> DecodeAsync(List<RpcLog> logs, CancellationToken cancellationToken)
    {
        var decoded = new List<(RpcLog Log, EhrAccessEvent Event)>();
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        foreach (var log in logs)
        {
            if (EhrAccessEventDecoder.Decode(log, _abi) is not { } e)
            {
                continue;
            }

            if (e.Timestamp is null)
            {
                // Nodes that do not put blockTimestamp in logs: each block looked up once.
                if (!times.TryGetValue(log.BlockHash, out var at))
                {
                    var block = await rpc.EthGetBlockByHashAsync(log.BlockHash, false, cancellationToken);
                    at = block?.Timestamp ?? DateTimeOffset.UnixEpoch;
                    times[log.BlockHash] = at;
                }

                e = e with { Timestamp = at };
            }

            decoded.Add((log, e));
        }

        var roles = await RolesAsync(decoded.Select(d => d.Event).ToList(), cancellationToken);
        return decoded.Select(d => IndexedChainEvent.From(ChainLedger.ToLedgerEvent(d.Event, roles), d.Log.BlockHash, checked((int)d.Log.LogIndex))).ToList();
    }

    /// <summary>
    /// AccountSuspended/Reinstated name an account without its role: from the registrations in this range, else those
    /// already indexed, else the contract (a role never changes).
    /// </summary>
    private async Task<Dictionary<EthAddress, EhrRole>> RolesAsync(List<EhrAccessEvent> events, CancellationToken cancellationToken)
    {
        var roles = new Dictionary<EthAddress, EhrRole>();
        foreach (var e in events)
        {
            switch (e)
            {
                case PatientRegisteredEvent p:
                    roles[p.Patient] = EhrRole.Patient;
                    break;
                case DoctorRegisteredEvent d:
                    roles[d.Doctor] = EhrRole.Doctor;
                    break;
            }
        }

        var unknown = events.Select(e => e switch
            {
                AccountSuspendedEvent s => s.Account,
                AccountReinstatedEvent r => r.Account,
                _ => (EthAddress?)null,
            }).OfType<EthAddress>().Distinct().Where(a => !roles.ContainsKey(a)).ToList();
        foreach (var account in unknown)
        {
            var text = account.ToString();
            var registered = await db.ChainEvents.AsNoTracking()
                .Where(e => (e.Name == "PatientRegistered" && e.Patient == text) || (e.Name == "DoctorRegistered" && e.Doctor == text))
                .Select(e => e.Name).FirstOrDefaultAsync(cancellationToken);
            roles[account] = registered switch
            {
                "PatientRegistered" => EhrRole.Patient,
                "DoctorRegistered" => EhrRole.Doctor,
                _ => (await Contract().GetAccountAsync(account, cancellationToken)).Role,
            };
        }

        return roles;
    }

    /// <summary>
    /// A doctor is told of their suspension from here, the one place that sees both causes (the manager's transaction
    /// and the contract's own, inside a batch of logged reads): once per event, by the writer that stored it. Events
    /// older than a day are history, not news (an index read again from block 0 tells nobody twice).
    /// </summary>
    private async Task NotifySuspensionsAsync(List<IndexedChainEvent> rows)
    {
        var news = clock.GetUtcNow() - TimeSpan.FromDays(1);
        foreach (var row in rows.Where(r => r.Name == "AccountSuspended" && r.Doctor is not null && r.BlockTime >= news))
        {
            var userId = await db.ChainAccounts.AsNoTracking().Where(a => a.Address == row.Doctor).Select(a => a.UserId).FirstOrDefaultAsync(CancellationToken.None);
            if (userId is not null)
            {
                await services.GetRequiredService<Notifier>().ToUserAsync(
                    userId,
                    NotificationKind.Suspended,
                    $"{row.Detail ?? "Suspended"}: you cannot read records or ask for access until the EHR manager reinstates your account.",
                    "/Doctor",
                    $"suspended:{row.TransactionHash}:{row.LogIndex}");
            }
        }
    }

    private EhrAccessContract Contract() => services.GetRequiredService<EhrAccessContract>();
}
