using EhrShare.Core.Records;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>Scan and repair over a throw-away app database and throw-away node databases (see IsolatedShareNodes).</summary>
public sealed class ShareScanAndRepairTests
{
    [Fact]
    public async Task Scan_OfHealthyRecords_IsClean_AndCountsTheSharesOnEveryNode()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            await stack.AddRecordAsync();
        }

        var report = await stack.ScanAsync();

        Assert.True(report.IsClean, string.Join("\n", report.Problems));
        Assert.Equal(3, report.RecordsChecked);
        Assert.Equal(["node-1", "node-2", "node-3", "node-4", "node-5"], report.Nodes.Select(n => n.Node));
        Assert.All(report.Nodes, n => Assert.Equal((true, 3L, 0, 0, 0), (n.Reachable, n.ShareCount ?? -1, n.Missing, n.Corrupt, n.Orphans)));
        Assert.True(report.FinishedAt >= report.StartedAt);
    }

    [Fact]
    public async Task ShareCorruptedBySql_IsFoundByScanOnItsNode_RepairRestoresIt_AndScanIsCleanAgain()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        await stack.AddRecordAsync();
        await FlipPayloadByteAsync(stack.NodeConnectionStrings[2], id);
        var untouched = await StoredAsync(stack, id, except: 2);
        var (vault, _) = stack.Vault();
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        var scan = await stack.ScanAsync();

        Assert.False(scan.IsClean);
        Assert.Equal(2, scan.RecordsChecked);
        var problem = Assert.Single(scan.Problems);
        Assert.Equal((ShareProblemKind.Corrupt, "node-3", id), (problem.Kind, problem.Node, problem.RecordId));
        Assert.Contains("checksum", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(1, scan.Nodes[2].Corrupt);

        var repair = await stack.RepairAsync();

        Assert.True(repair.Complete, string.Join("\n", repair.NotRepaired));
        var action = Assert.Single(repair.Repaired);
        Assert.Equal((id, "node-3", ShareProblemKind.Corrupt), (action.RecordId, action.Node, action.Was));
        Assert.Equal(untouched, await StoredAsync(stack, id, except: 2));
        Assert.True((await stack.ScanAsync()).IsClean);
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Equal(3, Share.Parse(await ReadStoredAsync(stack.NodeConnectionStrings[2], id)).X);
    }

    [Fact]
    public async Task DeletedShare_IsFoundMissingByScan_RepairRewritesIt_AndScanIsCleanAgain()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        await DeleteShareAsync(stack.NodeConnectionStrings[0], id);

        var scan = await stack.ScanAsync();

        var problem = Assert.Single(scan.Problems);
        Assert.Equal((ShareProblemKind.Missing, "node-1", id), (problem.Kind, problem.Node, problem.RecordId));
        Assert.Equal((0L, 1), (scan.Nodes[0].ShareCount, scan.Nodes[0].Missing));

        var repair = await stack.RepairAsync();

        Assert.Equal((id, "node-1", ShareProblemKind.Missing), (repair.Repaired[0].RecordId, repair.Repaired[0].Node, repair.Repaired[0].Was));
        Assert.True((await stack.ScanAsync()).IsClean);
        // The rewritten share alone with any k − 1 others rebuilds the block.
        var shares = new List<Share>();
        foreach (var i in new[] { 0, 3, 4 })
        {
            shares.Add(Share.Parse(await ReadStoredAsync(stack.NodeConnectionStrings[i], id)));
        }

        Assert.Equal(block, Shamir.Combine(shares));
    }

    [Fact]
    public async Task TamperedShareWithAValidChecksum_IsFoundCorruptByScan_AndRepaired()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync(size: 300);
        var forged = Shamir.Split(id, RandomBlock(300), 5, 3)[1];
        await OverwriteShareAsync(stack.NodeConnectionStrings[1], id, forged.ToBytes());

        var scan = await stack.ScanAsync();

        var problem = Assert.Single(scan.Problems);
        Assert.Equal((ShareProblemKind.Corrupt, "node-2"), (problem.Kind, problem.Node));
        Assert.Contains("does not agree", problem.Detail, StringComparison.Ordinal);
        Assert.Single((await stack.RepairAsync()).Repaired);
        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task Scan_ReportsOrphanShares_WithoutDeletingThem_AndRepairLeavesThemAlone()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (vault, _) = stack.Vault();
        var unknown = Guid.NewGuid();
        await vault.StoreAsync(unknown, RandomBlock(100), CancellationToken.None);
        var (removed, _) = await stack.AddRecordAsync();
        await stack.SetStateAsync(removed, RecordState.Removed);
        await stack.AddRecordAsync(RecordState.Pending);
        await stack.AddRecordAsync(RecordState.Removing);
        var (healthy, _) = await stack.AddRecordAsync();

        var scan = await stack.ScanAsync();

        Assert.Equal(1, scan.RecordsChecked);
        Assert.All(scan.Nodes, n => Assert.Equal((5L, 2, 0, 0), (n.ShareCount ?? -1, n.Orphans, n.Missing, n.Corrupt)));
        Assert.All(scan.Problems, p => Assert.Equal(ShareProblemKind.Orphan, p.Kind));
        Assert.Equal(
            new[] { unknown, removed }.Order().SelectMany(id => Enumerable.Repeat(id, 5)),
            scan.Problems.Select(p => p.RecordId!.Value).Order());
        Assert.DoesNotContain(scan.Problems, p => p.RecordId == healthy);

        var repair = await stack.RepairAsync();

        Assert.True(repair.Complete);
        Assert.Empty(repair.Repaired);
        Assert.Equal(1, await CountAsync(stack.NodeConnectionStrings[0], unknown));
        Assert.Equal(1, await CountAsync(stack.NodeConnectionStrings[4], removed));
    }

    [Fact]
    public async Task Scan_ReportsAShareAtTheWrongX_AsAnOrphan()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync();
        await ExecuteAsync(stack.NodeConnectionStrings[0], "INSERT INTO shares (record_id, x, share, written_at) SELECT record_id, 7, share, written_at FROM shares WHERE record_id = @id", id);

        var scan = await stack.ScanAsync();

        var problem = Assert.Single(scan.Problems);
        Assert.Equal((ShareProblemKind.Orphan, "node-1", id), (problem.Kind, problem.Node, problem.RecordId));
        Assert.Contains("x = 7", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_WithANodeUnreachable_ReportsTheNode_AndStillChecksTheOthers()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync();
        await DeleteShareAsync(stack.NodeConnectionStrings[4], id);
        var options = stack.Options(replace: new Dictionary<int, string> { [1] = ClosedPort() });

        var scan = await stack.ScanAsync(options);

        Assert.False(scan.Nodes[1].Reachable);
        Assert.Null(scan.Nodes[1].ShareCount);
        Assert.Contains("unreachable", scan.Nodes[1].Error, StringComparison.Ordinal);
        Assert.Contains(scan.Problems, p => p is { Kind: ShareProblemKind.Unreachable, Node: "node-2", RecordId: null });
        Assert.Contains(scan.Problems, p => p is { Kind: ShareProblemKind.Missing, Node: "node-5" } && p.RecordId == id);
        Assert.Equal(2, scan.Problems.Count);

        var repair = await stack.RepairAsync(options);

        Assert.False(repair.Complete);
        Assert.Equal("node-5", Assert.Single(repair.Repaired).Node);
        Assert.Equal("node-2", Assert.Single(repair.NotRepaired).Node);
    }

    [Fact]
    public async Task Scan_OfARecordWithFewerThanKGoodShares_ReportsItUnrecoverable_AndRepairLeavesIt()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync();
        foreach (var i in new[] { 0, 1, 2 })
        {
            await DeleteShareAsync(stack.NodeConnectionStrings[i], id);
        }

        var scan = await stack.ScanAsync();

        Assert.Equal(1, scan.RecordsUnrecoverable);
        Assert.Contains(scan.Problems, p => p.Kind == ShareProblemKind.Unrecoverable && p.RecordId == id && p.Node is null);
        Assert.Equal(3, scan.Problems.Count(p => p.Kind == ShareProblemKind.Missing));

        var repair = await stack.RepairAsync();

        Assert.Empty(repair.Repaired);
        var left = Assert.Single(repair.NotRepaired);
        Assert.Equal((ShareProblemKind.Unrecoverable, id), (left.Kind, left.RecordId));
        Assert.Contains("node-1, node-2, node-3", left.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_GoesThroughRecordsAndKeysInBatches_AndFindsTheOneBadShareAmongThem()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var count = ShareSweep.KeyPage + ShareSweep.RecordBatch / 2;
        var ids = await stack.AddManyRecordsAsync(count);
        var victim = ids[ShareSweep.RecordBatch + 7];
        await FlipPayloadByteAsync(stack.NodeConnectionStrings[3], victim);

        var scan = await stack.ScanAsync();

        Assert.Equal(count, scan.RecordsChecked);
        Assert.All(scan.Nodes, n => Assert.Equal(count, n.ShareCount));
        var problem = Assert.Single(scan.Problems);
        Assert.Equal((ShareProblemKind.Corrupt, "node-4", victim), (problem.Kind, problem.Node, problem.RecordId));
        Assert.Equal(1, (await stack.RepairAsync()).RepairedCount);
        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task Repair_LeavesTheSharesOfARecordBeingRemoved()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync();
        await DeleteShareAsync(stack.NodeConnectionStrings[0], id);
        await stack.SetStateAsync(id, RecordState.Removing);

        var repair = await stack.RepairAsync();

        Assert.Empty(repair.Repaired);
        Assert.Equal(0, await CountAsync(stack.NodeConnectionStrings[0], id));
    }

    private static async Task<List<byte[]>> StoredAsync(IsolatedShareNodes stack, Guid id, int except)
    {
        var stored = new List<byte[]>();
        for (var i = 0; i < stack.NodeConnectionStrings.Count; i++)
        {
            if (i != except)
            {
                stored.Add((await ReadStoredAsync(stack.NodeConnectionStrings[i], id))!);
            }
        }

        return stored;
    }
}
