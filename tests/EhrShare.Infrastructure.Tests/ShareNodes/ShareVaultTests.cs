using System.Diagnostics;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using EhrShare.Testing;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>The vault against the test stack's share nodes (ehr_node_1..n, each with its own credentials).</summary>
public sealed class ShareVaultTests
{
    private static int N => TestStack.ShareNodeCount;

    [Theory]
    [InlineData("Gf256", 1)]
    [InlineData("Gf256", 321)]
    [InlineData("Gf256", 600)]
    [InlineData("Gf256", 70_000)]
    [InlineData("Prime127", 1)]
    [InlineData("Prime127", 321)]
    [InlineData("Prime127", 600)]
    [InlineData("Prime127", 70_000)]
    public async Task Store_ThenRebuild_ReturnsTheSameBlock_WithOneShareAtItsXOnEveryNode(string field, int size)
    {
        var (vault, reports) = Vault(StackOptions(field: field));
        var id = Guid.NewGuid();
        var block = RandomBlock(size);

        await vault.StoreAsync(id, block, CancellationToken.None);
        var rebuilt = await vault.RebuildAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(block, rebuilt);
        for (var i = 0; i < N; i++)
        {
            Assert.Equal(1, await CountAsync(TestStack.ShareNodeConnectionString(i), id));
            var share = Share.Parse(await ReadStoredAsync(TestStack.ShareNodeConnectionString(i), id));
            Assert.Equal((id, (byte)(i + 1), 3, N, Enum.Parse<ShareField>(field), size), (share.RecordId, share.X, share.K, share.N, share.Field, share.SecretLength));
        }

        Assert.All(reports.Snapshot(), s => Assert.Equal(0, s.Total));
    }

    [Fact]
    public async Task Store_AgainForTheSameRecord_OverwritesTheShares()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        await vault.StoreAsync(id, RandomBlock(100), CancellationToken.None);
        var second = RandomBlock(120);

        await vault.StoreAsync(id, second, CancellationToken.None);

        Assert.Equal(second, await vault.RebuildAsync(id, Hash(second), CancellationToken.None));
        Assert.Equal(1, await CountAsync(TestStack.ShareNodeConnectionString(0), id));
    }

    [Fact]
    public async Task Rebuild_WithOneNodeUnreachable_ServesTheBlock_AndReportsTheNode()
    {
        var id = Guid.NewGuid();
        var block = RandomBlock(400);
        await Vault(StackOptions()).Vault.StoreAsync(id, block, CancellationToken.None);
        var (vault, reports) = Vault(StackOptions(replace: new Dictionary<int, string> { [1] = ClosedPort(1) }));

        var rebuilt = await vault.RebuildAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(block, rebuilt);
        var status = await WaitForProblemAsync(reports, "node-2", ShareProblemKind.Unreachable);
        Assert.Equal(id, status.LastProblem!.RecordId);
        Assert.Contains("unreachable", status.LastProblem.Detail, StringComparison.Ordinal);
        Assert.All(reports.Snapshot().Where(s => s.Node != "node-2"), s => Assert.Equal(0, s.Total));
    }

    [Fact]
    public async Task Rebuild_WithAHungNode_DoesNotWaitForIt_AndReportsItsTimeout()
    {
        var id = Guid.NewGuid();
        var block = RandomBlock(400);
        await Vault(StackOptions()).Vault.StoreAsync(id, block, CancellationToken.None);
        await using var hung = new SilentListener();
        var timeout = TimeSpan.FromSeconds(4);
        var (vault, reports) = Vault(StackOptions(nodeTimeout: timeout, replace: new Dictionary<int, string> { [0] = hung.ConnectionString() }));
        await vault.RebuildAsync(id, Hash(block), CancellationToken.None); // warm the other nodes' pools

        var clock = Stopwatch.StartNew();
        var rebuilt = await vault.RebuildAsync(id, Hash(block), CancellationToken.None);
        var elapsed = clock.Elapsed;

        Assert.Equal(block, rebuilt);
        Assert.True(elapsed < timeout / 2, $"the read took {elapsed.TotalMilliseconds:0} ms; the hung node's timeout is {timeout.TotalMilliseconds:0} ms");
        var status = await WaitForProblemAsync(reports, "node-1", ShareProblemKind.Unreachable, timeout * 2);
        Assert.Contains("no answer within 4 s", status.LastProblem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuild_WhenTooFewNodesAnswer_FailsAsAnOutageOnceTheNodeTimeoutPasses_NamingTheHungNodes()
    {
        var id = Guid.NewGuid();
        var block = RandomBlock(200);
        await Vault(StackOptions()).Vault.StoreAsync(id, block, CancellationToken.None);
        await using var hung = new SilentListener();
        var timeout = TimeSpan.FromSeconds(2);
        var (vault, reports) = Vault(StackOptions(nodeTimeout: timeout, replace: new Dictionary<int, string>
        {
            [0] = hung.ConnectionString(0),
            [1] = hung.ConnectionString(1),
            [2] = hung.ConnectionString(2),
        }));

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        // Not "the record is lost": the shares are there, the nodes did not answer.
        Assert.InRange(clock.Elapsed, timeout * 0.9, timeout + TimeSpan.FromSeconds(3));
        Assert.Equal("share-nodes", error.Dependency);
        foreach (var node in new[] { "node-1", "node-2", "node-3" })
        {
            Assert.Contains($"{node} (no answer within 2 s)", error.Message, StringComparison.Ordinal);
            Assert.Equal(1, reports.For(node).Counts[ShareProblemKind.Unreachable]);
        }
    }

    [Fact]
    public async Task Rebuild_WithTwoNodesDownAndOneShareDeleted_IsAnOutage_ButWithTheSharesGoneItIsUnrecoverable()
    {
        var id = Guid.NewGuid();
        var block = RandomBlock(200);
        await Vault(StackOptions()).Vault.StoreAsync(id, block, CancellationToken.None);
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(2), id);
        var (degraded, _) = Vault(StackOptions(replace: new Dictionary<int, string> { [0] = ClosedPort(0), [1] = ClosedPort(1) }));

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => degraded.RebuildAsync(id, Hash(block), CancellationToken.None));

        await DeleteShareAsync(TestStack.ShareNodeConnectionString(0), id);
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(1), id);
        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => Vault(StackOptions()).Vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Equal(["node-1", "node-2", "node-3"], error.BadNodes.Order());
    }

    [Fact]
    public async Task Rebuild_WithAShareCorruptedBySql_IdentifiesTheNode_AndStillServesTheBlock()
    {
        var (vault, reports) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(500);
        await vault.StoreAsync(id, block, CancellationToken.None);
        Assert.Equal(1, await FlipPayloadByteAsync(TestStack.ShareNodeConnectionString(2), id));

        var rebuilt = await vault.RebuildAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(block, rebuilt);
        var status = await WaitForProblemAsync(reports, "node-3", ShareProblemKind.Corrupt);
        Assert.Contains("checksum", status.LastProblem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuild_WithATamperedShareThatPassesItsChecksum_IdentifiesTheNode_AndStillServesTheBlock()
    {
        var (vault, reports) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        await vault.StoreAsync(id, block, CancellationToken.None);
        // A well-formed share of the same record at the same x, from another polynomial.
        var forged = Shamir.Split(id, RandomBlock(300), N, 3)[0];
        await OverwriteShareAsync(TestStack.ShareNodeConnectionString(0), id, forged.ToBytes());

        var rebuilt = await vault.RebuildAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(block, rebuilt);
        var status = await WaitForProblemAsync(reports, "node-1", ShareProblemKind.Corrupt);
        Assert.Contains("does not agree", status.LastProblem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuild_WithADeletedShare_ReportsTheNodeMissing_AndStillServesTheBlock()
    {
        var (vault, reports) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        await vault.StoreAsync(id, block, CancellationToken.None);
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(4), id);

        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        var status = await WaitForProblemAsync(reports, "node-5", ShareProblemKind.Missing);
        Assert.Equal(id, status.LastProblem!.RecordId);
    }

    [Fact]
    public async Task Rebuild_InStrictMode_WithOneShareMissing_FailsNamingTheNode()
    {
        var (vault, _) = Vault(StackOptions(threshold: N));
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        await vault.StoreAsync(id, block, CancellationToken.None);
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(3), id);

        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        Assert.Equal(["node-4"], error.BadNodes);
        Assert.Contains("node-4: missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuild_InStrictMode_WithOneTamperedShare_FailsAndNeverServesAWrongBlock()
    {
        var (vault, _) = Vault(StackOptions(threshold: N));
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        await vault.StoreAsync(id, block, CancellationToken.None);
        var forged = Shamir.Split(id, RandomBlock(300), N, N)[2];
        await OverwriteShareAsync(TestStack.ShareNodeConnectionString(2), id, forged.ToBytes());

        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        // With k = n no share is spare, so the wrong one cannot be singled out: every node is a suspect.
        Assert.Contains("node-3", error.BadNodes);
        Assert.Contains("do not rebuild the block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuild_WhenKSharesConsistentlyCombineToAnotherBlock_RefusesIt()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        await vault.StoreAsync(id, block, CancellationToken.None);
        // k forged shares that agree with each other (valid checksums): they combine, to another block.
        var forged = Shamir.Split(id, RandomBlock(300), N, 3);
        for (var i = 0; i < 3; i++)
        {
            await OverwriteShareAsync(TestStack.ShareNodeConnectionString(i), id, forged[i].ToBytes());
        }

        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));

        Assert.Contains("do not rebuild the block anchored on the chain", error.Message, StringComparison.Ordinal);
        Assert.Equal(N, error.BadNodes.Count);
    }

    [Fact]
    public async Task Rebuild_WithTheWrongExpectedHash_RefusesTheBlock()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        await vault.StoreAsync(id, RandomBlock(64), CancellationToken.None);

        await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(RandomBlock(64)), CancellationToken.None));
    }

    [Fact]
    public async Task Rebuild_OfARecordWithNoShares_FailsNamingEveryNodeAsMissing()
    {
        var (vault, _) = Vault(StackOptions());

        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(Guid.NewGuid(), Hash([1]), CancellationToken.None));

        Assert.True(error.BadNodes.Count >= N - 2, string.Join(", ", error.BadNodes));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroy_RemovesTheRecordsShareFromEveryNode()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(300);
        await vault.StoreAsync(id, block, CancellationToken.None);

        await vault.DestroyAsync(id, CancellationToken.None);

        for (var i = 0; i < N; i++)
        {
            Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(i), id));
        }

        await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));
    }

    [Fact]
    public async Task Destroy_WithANodeDown_FailsNamingIt_AndCallingAgainFinishesTheJob()
    {
        var id = Guid.NewGuid();
        var (healthy, _) = Vault(StackOptions());
        await healthy.StoreAsync(id, RandomBlock(300), CancellationToken.None);
        var (degraded, _) = Vault(StackOptions(replace: new Dictionary<int, string> { [4] = ClosedPort(4) }));

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => degraded.DestroyAsync(id, CancellationToken.None));

        Assert.Equal("share-nodes", error.Dependency);
        Assert.Contains("node-5", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(0), id));
        Assert.Equal(1, await CountAsync(TestStack.ShareNodeConnectionString(4), id));

        await healthy.DestroyAsync(id, CancellationToken.None);
        Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(4), id));
    }

    [Fact]
    public async Task Store_WithOneNodeDown_SucceedsWithKPlusOne_AndReportsTheNode()
    {
        var (vault, reports) = Vault(StackOptions(replace: new Dictionary<int, string> { [3] = ClosedPort(3) }));
        var id = Guid.NewGuid();
        var block = RandomBlock(300);

        await vault.StoreAsync(id, block, CancellationToken.None);

        Assert.Equal(1, reports.For("node-4").Counts[ShareProblemKind.WriteFailed]);
        Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(3), id));
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
    }

    [Fact]
    public async Task Store_WithTooFewReachableNodes_FailsNamingThem_AndLeavesNothingBehind()
    {
        // n = 5, k = 3: a store needs k + 1 = 4 nodes; two down leave 3.
        var (vault, _) = Vault(StackOptions(replace: new Dictionary<int, string> { [0] = ClosedPort(0), [2] = ClosedPort(2) }));
        var id = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => vault.StoreAsync(id, RandomBlock(300), CancellationToken.None));

        Assert.Equal("share-nodes", error.Dependency);
        Assert.Contains("node-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("node-3", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("node-2", error.Message, StringComparison.Ordinal);
        for (var i = 0; i < N; i++)
        {
            Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(i), id));
        }
    }

    [Fact]
    public async Task Store_InStrictMode_WithOneNodeDown_FailsAndLeavesNothingBehind()
    {
        var (vault, _) = Vault(StackOptions(threshold: N, replace: new Dictionary<int, string> { [1] = ClosedPort(1) }));
        var id = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => vault.StoreAsync(id, RandomBlock(300), CancellationToken.None));

        Assert.Contains("node-2", error.Message, StringComparison.Ordinal);
        for (var i = 0; i < N; i++)
        {
            Assert.Equal(0, await CountAsync(TestStack.ShareNodeConnectionString(i), id));
        }
    }

    internal static async Task<ShareNodeProblemSummary> WaitForProblemAsync(
        RecordedShareProblems reports, string node, ShareProblemKind kind, TimeSpan? within = null)
    {
        // Problems of nodes that answer after k shares verified are reported in the background.
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var status = reports.For(node);
            if (status.Counts.GetValueOrDefault(kind) > 0 && status.LastProblem?.Kind == kind)
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{node} was not reported {kind}; reports: "
                            + string.Join("; ", reports.Snapshot().Select(s => $"{s.Node}: {s.LastProblem}")));
            }

            await Task.Delay(50);
        }
    }
}
