using EhrShare.Core.Records;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using EhrShare.Testing;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>
/// One record's refresh, the step every run of <see cref="ShareRefreshRunner"/> takes per record, and share
/// generations: a crash stopped exactly between its steps (planned, new generation written to some or all nodes, old
/// one not yet deleted), which a kill of the app hits only by chance (ShareRefreshRunTests kill it mid-run).
/// </summary>
public sealed class ShareRefreshTests
{
    private static int N => TestStack.ShareNodeCount;

    [Fact]
    public async Task Refresh_KeepsTheBlock_WritesTheNextGeneration_AndOldSharesNoLongerCombineWithNewOnes()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(400);
        await vault.StoreAsync(id, block, CancellationToken.None);
        var before = await StoredSharesAsync(id);

        var result = await Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal((1u, N), (result.Generation, result.SharesWritten));
        Assert.Empty(result.RepairedNodes);
        Assert.Empty(result.SkippedNodes);
        Assert.Empty(result.NotCleaned);
        for (var i = 0; i < N; i++)
        {
            // The old generation is gone from every node once the new one is on all of them.
            Assert.Equal([1u], await GenerationsAsync(TestStack.ShareNodeConnectionString(i), id));
        }

        var after = await StoredSharesAsync(id);
        for (var i = 0; i < N; i++)
        {
            Assert.Equal(before[i].X, after[i].X);
            Assert.NotEqual(before[i].Payload.ToArray(), after[i].Payload.ToArray());
        }

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Equal(block, Shamir.Combine([after[2], after[3], after[4]]));
        Assert.NotEqual(Hash(block), Hash(Shamir.Combine([before[0], before[1], after[2]])));

        // A second refresh goes on to generation 2.
        Assert.Equal(2u, (await Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None)).Generation);
        Assert.Equal([2u], await GenerationsAsync(TestStack.ShareNodeConnectionString(0), id));
    }

    [Fact]
    public async Task Rebuild_NeverCombinesSharesOfDifferentGenerations()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        // Three shares of ONE split (k = 3): together they rebuild the block. Two are filed as generation 1 and one
        // as generation 0, so only a rebuild that mixes generations could succeed.
        var shares = Shamir.Split(id, block, 5, 3);
        await InsertShareAsync(stack.NodeConnectionStrings[0], id, 1, shares[0].ToBytes());
        await InsertShareAsync(stack.NodeConnectionStrings[1], id, 1, shares[1].ToBytes());
        await InsertShareAsync(stack.NodeConnectionStrings[2], id, 0, shares[2].ToBytes());
        var (vault, _) = stack.Vault();

        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Contains("no share of generation 1; the node holds generation 0", error.Message, StringComparison.Ordinal);

        // The same three shares in one generation do rebuild: it was the generations that kept them apart.
        await ExecuteAsync(stack.NodeConnectionStrings[2], "UPDATE shares SET generation = 1 WHERE record_id = @id", id);
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
    }

    [Fact]
    public async Task Rebuild_WithKMinusOneNewSharesAndOneOld_FailsRatherThanCombining()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        var (vault, _) = stack.Vault();
        var refresh = Refresh(vault);
        using (var plan = await refresh.PlanAsync(id, Hash(block), CancellationToken.None))
        {
            await refresh.WriteNewAsync(plan, [.. vault.Nodes.Take(2)], CancellationToken.None);
        }

        // Nodes 1-2 have generation 1 (k − 1 = 2 shares), node 3 only its generation 0 share, nodes 4-5 nothing.
        foreach (var i in new[] { 0, 1 })
        {
            await ExecuteAsync(stack.NodeConnectionStrings[i], "DELETE FROM shares WHERE record_id = @id AND generation = 0", id);
        }

        foreach (var i in new[] { 3, 4 })
        {
            await DeleteShareAsync(stack.NodeConnectionStrings[i], id);
        }

        await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        var scan = await stack.ScanAsync();
        Assert.Equal(1, scan.RecordsUnrecoverable);
    }

    [Fact]
    public async Task CrashAfterTheNewGenerationIsWritten_BeforeTheOldIsDeleted_LeavesTheRecordReadable_AndRepairCleansUp()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        var (vault, _) = stack.Vault();
        var refresh = Refresh(vault);
        using (var plan = await refresh.PlanAsync(id, Hash(block), CancellationToken.None))
        {
            await refresh.WriteNewAsync(plan, plan.Nodes, CancellationToken.None);
            // The process dies here: DeleteOldAsync never runs.
        }

        foreach (var node in stack.NodeConnectionStrings)
        {
            Assert.Equal([0u, 1u], await GenerationsAsync(node, id));
        }

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        // Read from the new generation: with every old share destroyed it still rebuilds.
        foreach (var node in stack.NodeConnectionStrings)
        {
            await ExecuteAsync(node, "UPDATE shares SET share = REVERSE(share) WHERE record_id = @id AND generation = 0", id);
        }

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        var scan = await stack.ScanAsync();
        Assert.Equal(5, scan.Problems.Count(p => p.Kind == ShareProblemKind.Stale && p.RecordId == id));
        Assert.All(scan.Nodes, n => Assert.Equal((1, 0, 0), (n.Stale, n.Missing, n.Corrupt)));

        var repair = await stack.RepairAsync();

        Assert.True(repair.Complete, string.Join("\n", repair.NotRepaired));
        Assert.Equal(5, repair.Repaired.Count(a => a.Was == ShareProblemKind.Stale));
        foreach (var node in stack.NodeConnectionStrings)
        {
            Assert.Equal([1u], await GenerationsAsync(node, id));
        }

        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task CrashAfterPartialWrites_LeavesTheRecordReadable_AndTheNextRefreshWritesPastTheLeftovers()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        var (vault, _) = stack.Vault();
        var refresh = Refresh(vault);

        // Fewer than k new shares landed: the record is read from the old generation.
        using (var plan = await refresh.PlanAsync(id, Hash(block), CancellationToken.None))
        {
            await refresh.WriteNewAsync(plan, [.. vault.Nodes.Take(2)], CancellationToken.None);
        }

        Assert.Equal([0u, 1u], await GenerationsAsync(stack.NodeConnectionStrings[0], id));
        Assert.Equal([0u], await GenerationsAsync(stack.NodeConnectionStrings[4], id));
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        var scan = await stack.ScanAsync();
        Assert.Equal(0, scan.RecordsUnrecoverable);

        // k new shares landed (another crashed attempt at generation 2): read from the new one, old still whole.
        using (var plan = await refresh.PlanAsync(id, Hash(block), CancellationToken.None))
        {
            Assert.Equal(2u, plan.Generation);
            await refresh.WriteNewAsync(plan, [.. vault.Nodes.Skip(2)], CancellationToken.None);
        }

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        var result = await refresh.RunAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(3u, result.Generation);
        foreach (var node in stack.NodeConnectionStrings)
        {
            Assert.Equal([3u], await GenerationsAsync(node, id));
        }

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.True((await stack.ScanAsync()).IsClean);
    }

    [Fact]
    public async Task NodeDownDuringTheRefresh_KeepsItsOldShare_AndGetsTheNewOneFromTheRepair()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        var down = stack.Options(replace: new Dictionary<int, string> { [2] = ClosedPort(2) });

        var result = await Refresh(ShareNodeTestKit.Vault(down).Vault).RunAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal((1u, 4), (result.Generation, result.SharesWritten));
        Assert.Equal(["node-3"], result.SkippedNodes);
        Assert.Equal([0u], await GenerationsAsync(stack.NodeConnectionStrings[2], id));
        Assert.Equal([1u], await GenerationsAsync(stack.NodeConnectionStrings[0], id));

        // Back up: the scan sees its share missing from the newest generation, and an old one left.
        var scan = await stack.ScanAsync();
        Assert.Contains(scan.Problems, p => p is { Kind: ShareProblemKind.Missing, Node: "node-3" } && p.RecordId == id);
        Assert.Contains(scan.Problems, p => p is { Kind: ShareProblemKind.Stale, Node: "node-3" } && p.RecordId == id);

        var repair = await stack.RepairAsync();

        Assert.True(repair.Complete, string.Join("\n", repair.NotRepaired));
        Assert.Equal(
            [(ShareProblemKind.Missing, "node-3"), (ShareProblemKind.Stale, "node-3")],
            repair.Repaired.Select(a => (a.Was, a.Node)));
        Assert.Equal([1u], await GenerationsAsync(stack.NodeConnectionStrings[2], id));
        Assert.True((await stack.ScanAsync()).IsClean);
        // Node 3's new share lies on the new polynomial: with two other new shares it rebuilds the block.
        var node3 = Share.Parse(await ReadStoredAsync(stack.NodeConnectionStrings[2], id));
        var node1 = Share.Parse(await ReadStoredAsync(stack.NodeConnectionStrings[0], id));
        var node5 = Share.Parse(await ReadStoredAsync(stack.NodeConnectionStrings[4], id));
        Assert.Equal(block, Shamir.Combine([node3, node1, node5]));
    }

    [Fact]
    public async Task ANodeThatAnswersButRefusesItsNewShare_FailsTheRefresh_AndTheRecordStaysWhollyOld()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, block) = await stack.AddRecordAsync();
        var before = new List<byte[]?>();
        foreach (var node in stack.NodeConnectionStrings)
        {
            before.Add(await ReadStoredAsync(node, id));
        }

        // Node 4 reads and deletes as usual but refuses every new row.
        await ExecuteAsync(stack.NodeConnectionStrings[3],
            "CREATE TRIGGER refuse_rows BEFORE INSERT ON shares FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk full'");
        var (vault, reports) = stack.Vault();

        var error = await Assert.ThrowsAsync<EhrShare.Core.Common.DependencyUnavailableException>(
            () => Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None));

        Assert.Contains("node-4", error.Message, StringComparison.Ordinal);
        Assert.Contains("keeps its old shares", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, reports.For("node-4").Counts.GetValueOrDefault(ShareProblemKind.WriteFailed));
        for (var i = 0; i < stack.NodeConnectionStrings.Count; i++)
        {
            // The new generation was taken back where it had landed; the old shares are untouched.
            Assert.Equal([0u], await GenerationsAsync(stack.NodeConnectionStrings[i], id));
            Assert.Equal(before[i], await ReadStoredAsync(stack.NodeConnectionStrings[i], id));
        }

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
    }

    [Fact]
    public async Task Refresh_RewritesAMissingOrCorruptShareToo()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(200);
        await vault.StoreAsync(id, block, CancellationToken.None);
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(1), id);
        await FlipPayloadByteAsync(TestStack.ShareNodeConnectionString(3), id);

        var result = await Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(["node-2", "node-4"], result.RepairedNodes.Order());
        var after = await StoredSharesAsync(id);
        Assert.Equal(block, Shamir.Combine([after[1], after[3], after[0]]));
    }

    [Fact]
    public async Task Refresh_WithTooFewGoodShares_WritesNothing()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(200);
        await vault.StoreAsync(id, block, CancellationToken.None);
        foreach (var i in new[] { 0, 1, 2 })
        {
            await DeleteShareAsync(TestStack.ShareNodeConnectionString(i), id);
        }

        await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None));

        Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(0), id));
        Assert.Equal([0u], await GenerationsAsync(TestStack.ShareNodeConnectionString(4), id));
    }

    [Fact]
    public async Task ATableFromBeforeGenerations_IsMigrated_AndItsSharesReadAsGenerationZero()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync(nodes: 3);
        var id = Guid.NewGuid();
        var block = RandomBlock(100);
        var shares = Shamir.Split(id, block, 3, 2);
        for (var i = 0; i < 3; i++)
        {
            var node = stack.NodeConnectionStrings[i];
            await ExecuteAsync(node, "DROP TABLE shares");
            await ExecuteAsync(node, """
                CREATE TABLE shares (record_id BINARY(16) NOT NULL, x TINYINT UNSIGNED NOT NULL, share MEDIUMBLOB NOT NULL,
                written_at DATETIME(6) NOT NULL, PRIMARY KEY (record_id, x)) ENGINE=InnoDB
                """);
            await ExecuteAsync(node, $"INSERT INTO shares VALUES (@id, {i + 1}, @share, UTC_TIMESTAMP(6))", id, shares[i].ToBytes());

            await ShareNodeSchema.EnsureCreatedAsync(node, CancellationToken.None);
            await ShareNodeSchema.EnsureCreatedAsync(node, CancellationToken.None); // a second run changes nothing

            Assert.Equal([0u], await GenerationsAsync(node, id));
        }

        var (vault, _) = stack.Vault(threshold: 2);
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Equal(1u, (await Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None)).Generation);
        Assert.Equal([1u], await GenerationsAsync(stack.NodeConnectionStrings[1], id));
    }

    private static async Task<List<Share>> StoredSharesAsync(Guid id)
    {
        var shares = new List<Share>();
        for (var i = 0; i < N; i++)
        {
            shares.Add(Share.Parse(await ReadStoredAsync(TestStack.ShareNodeConnectionString(i), id)));
        }

        return shares;
    }
}
