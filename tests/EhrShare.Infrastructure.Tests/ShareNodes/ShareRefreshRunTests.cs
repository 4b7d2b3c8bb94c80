using System.Diagnostics;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>
/// The refresh of all records as a manager or an operator runs it: <c>shares refresh</c> and the app's background
/// worker as processes of their own (killed mid-run), and the runner in-process beside reads, uploads and a cancel,
/// against a throw-away app database and throw-away nodes.
/// </summary>
public sealed class ShareRefreshRunTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task SharesRefresh_GivesEveryRecordNewShares_PrintsProgressAndOutcome_AndOldSharesNeverCombineWithNew()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var records = new List<(Guid Id, byte[] Block)>();
        for (var i = 0; i < 12; i++)
        {
            records.Add(await stack.AddRecordAsync());
        }

        var old = await SharesAsync(stack, records[0].Id);

        var (exit, output) = await RunAsync(stack, batchSize: 5, "shares", "refresh");

        Assert.True(exit == 0, output);
        Assert.Matches(@"Refresh run \d+ started: 12 record\(s\)", output);
        Assert.Contains("5 of 12 record(s) done", output, StringComparison.Ordinal);
        Assert.Contains("10 of 12 record(s) done", output, StringComparison.Ordinal);
        Assert.Contains("Refresh finished: 12 of 12 record(s) have new shares.", output, StringComparison.Ordinal);
        var (vault, _) = stack.Vault();
        foreach (var (id, block) in records)
        {
            foreach (var node in stack.NodeConnectionStrings)
            {
                Assert.Equal([1u], await GenerationsAsync(node, id));
            }

            Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        }

        // Two shares taken before the refresh and one after do not give the block; three after do.
        var fresh = await SharesAsync(stack, records[0].Id);
        Assert.NotEqual(Hash(records[0].Block), Hash(Shamir.Combine([old[0], old[1], fresh[2]])));
        Assert.Equal(records[0].Block, Shamir.Combine([fresh[0], fresh[1], fresh[2]]));
        var run = await LatestRunAsync(stack);
        Assert.Equal((ShareRefreshState.Finished, 12, 12, 0, ""), (run.State, run.RecordsTotal, run.RecordsDone, run.RecordsFailed, run.SkippedNodes));
        Assert.StartsWith("command line (", run.StartedBy, StringComparison.Ordinal);
        Assert.Null(run.Active);
        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task AppKilledMidRun_LeavesEveryRecordReadable_AndTheNextStartResumesWhereItWas()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var ids = await stack.AddManyRecordsAsync(300);
        var hashes = await HashesAsync(stack);
        await using (var db = stack.NewDbContext())
        {
            await Runs(db).StartAsync("manager@test", CancellationToken.None);
        }

        var settings = stack.AppSettings();
        settings["ShareNodes__Refresh__BatchSize"] = "1";
        int doneAtKill;
        await using (var app = await EhrAppProcess.StartAsync(settings))
        {
            // The app takes the run up at start, as it would after a crash.
            await app.Output.WaitForLineAsync(l => l.Contains("Share refresh run", StringComparison.Ordinal) && l.Contains("begins", StringComparison.Ordinal),
                Patience, "the run begins");
            var partway = await WaitForRunAsync(stack, r => r.RecordsDone >= 20, "20 records refreshed");
            await app.KillAsync();
            doneAtKill = (await LatestRunAsync(stack)).RecordsDone;
            Assert.True(partway.State == ShareRefreshState.Running && doneAtKill < 300, $"the run ended before the kill ({doneAtKill} done)");
        }

        // Killed at any step of any record: every record rebuilds, from its old shares or its new ones.
        var (vault, _) = stack.Vault();
        foreach (var id in ids)
        {
            await vault.RebuildAsync(id, hashes[id], CancellationToken.None);
        }

        Assert.Equal(ShareRefreshState.Running, (await LatestRunAsync(stack)).State);
        // Records go in id order (the column's text order): the last one is still untouched.
        var lastInOrder = ids.MaxBy(id => id.ToString(), StringComparer.Ordinal);
        Assert.Equal([0u], await GenerationsAsync(stack.NodeConnectionStrings[0], lastInOrder));

        await using (var app = await EhrAppProcess.StartAsync(settings))
        {
            await app.Output.WaitForLineAsync(l => l.Contains("resumes after record", StringComparison.Ordinal), Patience, "the run resumes");
            var finished = await WaitForRunAsync(stack, r => r.State != ShareRefreshState.Running, "the run ends");
            Assert.Equal((ShareRefreshState.Finished, 300, 300, 0), (finished.State, finished.RecordsTotal, finished.RecordsDone, finished.RecordsFailed));
        }

        foreach (var id in ids)
        {
            await vault.RebuildAsync(id, hashes[id], CancellationToken.None);
            // One generation left per node, a new one (the record in flight at the kill was refreshed again).
            var generations = await GenerationsAsync(stack.NodeConnectionStrings[2], id);
            Assert.True(generations is [>= 1u], $"record {id}: generations {string.Join(",", generations)}");
        }

        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task ANodeDownDuringTheRefresh_IsNamed_KeepsItsOldShares_AndSharesRepairGivesItTheNewOnes()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var records = new List<(Guid Id, byte[] Block)>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await stack.AddRecordAsync());
        }

        var down = stack.AppSettings();
        down["ShareNodes__Nodes__2__ConnectionString"] = ClosedPort(2);

        var (exit, output) = await RunAsync(down, batchSize: 100, "shares", "refresh");

        Assert.True(exit == CommandLineNeedsAttention, output);
        Assert.Contains("Refresh finished: 4 of 4 record(s) have new shares.", output, StringComparison.Ordinal);
        Assert.Contains("Nodes that did not answer keep old shares of some records: node-3. Run 'shares repair'", output, StringComparison.Ordinal);
        var (vault, _) = stack.Vault();
        foreach (var (id, block) in records)
        {
            Assert.Equal([0u], await GenerationsAsync(stack.NodeConnectionStrings[2], id));
            Assert.Equal([1u], await GenerationsAsync(stack.NodeConnectionStrings[0], id));
            Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        }

        var (repairExit, repairOutput) = await RunAsync(stack.AppSettings(), batchSize: 100, "shares", "repair");

        Assert.True(repairExit == 0, repairOutput);
        foreach (var (id, block) in records)
        {
            Assert.Equal([1u], await GenerationsAsync(stack.NodeConnectionStrings[2], id));
            // Node 3's new share lies on the new polynomial: with two other new shares it gives the block.
            var shares = await SharesAsync(stack, id);
            Assert.Equal(block, Shamir.Combine([shares[2], shares[0], shares[4]]));
        }

        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task ReadsAndUploadsGoOnDuringARun_AndEachReadGetsTheWholeBlock()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var records = new List<(Guid Id, byte[] Block)>();
        for (var i = 0; i < 10; i++)
        {
            records.Add(await stack.AddRecordAsync());
        }

        await using var db = stack.NewDbContext();
        await Runs(db).StartAsync("manager@test", CancellationToken.None);
        var (vault, _) = stack.Vault();
        using var stop = new CancellationTokenSource();
        var rounds = 0;
        var roundDone = new SemaphoreSlim(0);
        var uploaded = new List<(Guid Id, byte[] Block)>();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var (id, block) in records.Concat(uploaded))
                {
                    Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
                }

                uploaded.Add(await stack.AddRecordAsync());
                Interlocked.Increment(ref rounds);
                roundDone.Release();
            }
        });

        // After each batch the run waits until the reader went once more through every record and added one.
        var step = await Runner(stack, db, batchSize: 2).RunAsync(async _ =>
        {
            Assert.True(await roundDone.WaitAsync(Patience), "the reader made no progress");
        }, CancellationToken.None);
        await stop.CancelAsync();
        await reader;

        Assert.Equal(ShareRefreshStep.Ended, step);
        Assert.True(rounds >= 5, $"{rounds} round(s) of reads during the run");
        var run = await LatestRunAsync(stack);
        Assert.Equal((ShareRefreshState.Finished, 10), (run.State, run.RecordsDone));
        foreach (var (id, block) in records)
        {
            Assert.Equal([1u], await GenerationsAsync(stack.NodeConnectionStrings[1], id));
            Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        }

        // Records uploaded during the run were split afresh: the run leaves them at generation 0.
        Assert.Equal([0u], await GenerationsAsync(stack.NodeConnectionStrings[1], uploaded[^1].Id));
        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task OneRunAtATime_ASecondHolderStandsBy_AndACancelledRunLeavesTheRestOld()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var records = new List<(Guid Id, byte[] Block)>();
        for (var i = 0; i < 6; i++)
        {
            records.Add(await stack.AddRecordAsync());
        }

        await using var db = stack.NewDbContext();
        var runs = Runs(db);
        Assert.Equal(ShareRefreshStep.NothingToDo, await Runner(stack, db, batchSize: 2).RunAsync(null, CancellationToken.None));
        var run = await runs.StartAsync("first@test", CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ShareRefreshAlreadyRunningException>(() => runs.StartAsync("second@test", CancellationToken.None));
        Assert.Contains("started by first@test", refused.Message, StringComparison.Ordinal);

        ShareRefreshStep? other = null;
        await using var otherDb = stack.NewDbContext();
        var step = await Runner(stack, db, batchSize: 2).RunAsync(async progress =>
        {
            // While this runner holds the lock, another (an app instance, or the command) does nothing.
            other = await Runner(stack, otherDb, batchSize: 2).RunAsync(null, CancellationToken.None);
            Assert.NotNull(await Runs(otherDb).CancelAsync("manager@test", CancellationToken.None));
        }, CancellationToken.None);

        Assert.Equal((ShareRefreshStep.Ended, ShareRefreshStep.HeldElsewhere), (step, other));
        var cancelled = await runs.FindAsync(run.Id, CancellationToken.None);
        Assert.NotNull(cancelled);
        Assert.Equal((ShareRefreshState.Cancelled, 2, "Cancelled by manager@test."), (cancelled.State, cancelled.RecordsDone, cancelled.Outcome));
        var (vault, _) = stack.Vault();
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal([i < 2 ? 1u : 0u], await GenerationsAsync(stack.NodeConnectionStrings[4], records[i].Id));
            Assert.Equal(records[i].Block, await vault.RebuildAsync(records[i].Id, Hash(records[i].Block), CancellationToken.None));
        }

        Assert.Null(await runs.CancelAsync("manager@test", CancellationToken.None));
        Assert.Equal(6, (await runs.StartAsync("first@test", CancellationToken.None)).RecordsTotal);
    }

    [Fact]
    public async Task SharesCancelRefresh_CancelsTheRunningRun_AndSaysSoWhenNoneRuns()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        await stack.AddRecordAsync();
        await using (var db = stack.NewDbContext())
        {
            await Runs(db).StartAsync("manager@test", CancellationToken.None);
        }

        var (exit, output) = await RunAsync(stack, batchSize: 100, "shares", "cancel-refresh");

        Assert.True(exit == 0, output);
        Assert.Matches(@"Refresh run \d+ cancelled after 0 of 1 record\(s\)", output);
        Assert.Equal(ShareRefreshState.Cancelled, (await LatestRunAsync(stack)).State);
        var (again, againOutput) = await RunAsync(stack, batchSize: 100, "shares", "cancel-refresh");
        Assert.True(again == 0, againOutput);
        Assert.Contains("No refresh is running.", againOutput, StringComparison.Ordinal);
    }

    private const int CommandLineNeedsAttention = 3;

    private static ShareRefreshRuns Runs(EhrShare.Infrastructure.Persistence.EhrDbContext db) =>
        new(db, new ShareRefreshSignal(), TimeProvider.System, NullLogger<ShareRefreshRuns>.Instance);

    private static ShareRefreshRunner Runner(IsolatedShareNodes stack, EhrShare.Infrastructure.Persistence.EhrDbContext db, int batchSize)
    {
        var options = stack.Options();
        options.Refresh.BatchSize = batchSize;
        return new ShareRefreshRunner(db, Refresh(ShareNodeTestKit.Vault(options).Vault), Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System,
            NullLogger<ShareRefreshRunner>.Instance);
    }

    private static async Task<List<Share>> SharesAsync(IsolatedShareNodes stack, Guid id)
    {
        var shares = new List<Share>();
        foreach (var node in stack.NodeConnectionStrings)
        {
            shares.Add(Share.Parse(await ReadStoredAsync(node, id)));
        }

        return shares;
    }

    private static async Task<Dictionary<Guid, byte[]>> HashesAsync(IsolatedShareNodes stack)
    {
        await using var db = stack.NewDbContext();
        return await db.Records.AsNoTracking().Where(r => r.State == RecordState.Committed).ToDictionaryAsync(r => r.Id, r => r.BlockHash!);
    }

    private static async Task<ShareRefreshRun> LatestRunAsync(IsolatedShareNodes stack)
    {
        await using var db = stack.NewDbContext();
        return await db.ShareRefreshRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstAsync();
    }

    /// <summary>Waits for the run's row to show <paramref name="condition"/> (saved after each batch).</summary>
    private static async Task<ShareRefreshRun> WaitForRunAsync(IsolatedShareNodes stack, Func<ShareRefreshRun, bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var run = await LatestRunAsync(stack);
            if (condition(run))
            {
                return run;
            }

            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"Not within {Patience.TotalSeconds} s: {what} ({run.State}, {run.RecordsDone} of {run.RecordsTotal}).");
            }

            await Task.Delay(50);
        }
    }

    private Task<(int Exit, string Output)> RunAsync(IsolatedShareNodes stack, int batchSize, params string[] args) =>
        RunAsync(stack.AppSettings(), batchSize, args);

    private async Task<(int Exit, string Output)> RunAsync(Dictionary<string, string> settings, int batchSize, params string[] args)
    {
        settings["ShareNodes__Refresh__BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exit, output) = await EhrAppProcess.RunCommandAsync(args, settings, Patience);
        log.WriteLine($"$ {string.Join(' ', args)}  (exit {exit})\n{output}\n");
        return (exit, output);
    }
}
