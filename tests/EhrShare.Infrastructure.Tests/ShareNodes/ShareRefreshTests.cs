using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Sharing;
using EhrShare.Testing;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>Refresh against the test stack's share nodes.</summary>
public sealed class ShareRefreshTests
{
    private static int N => TestStack.ShareNodeCount;

    [Fact]
    public async Task Refresh_KeepsTheBlock_AndOldSharesNoLongerCombineWithNewOnes()
    {
        var (vault, _) = Vault(StackOptions());
        var id = Guid.NewGuid();
        var block = RandomBlock(400);
        await vault.StoreAsync(id, block, CancellationToken.None);
        var before = await StoredSharesAsync(id);

        var result = await Refresh(vault).RunAsync(id, Hash(block), CancellationToken.None);

        Assert.Equal(N, result.SharesWritten);
        Assert.Empty(result.RepairedNodes);
        var after = await StoredSharesAsync(id);
        for (var i = 0; i < N; i++)
        {
            Assert.Equal(before[i].X, after[i].X);
            Assert.NotEqual(before[i].Payload.ToArray(), after[i].Payload.ToArray());
        }

        // New shares rebuild the block, through the vault and on their own.
        Assert.Equal(block, await vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Equal(block, Shamir.Combine([after[2], after[3], after[4]]));
        // Old mixed with new: a different secret, which the hash refuses.
        Assert.NotEqual(Hash(block), Hash(Shamir.Combine([before[0], before[1], after[2]])));
        Assert.NotEqual(Hash(block), Hash(Shamir.Combine([before[0], after[1], after[2]])));

        // Put two leaked old shares back and leave one new one: the vault refuses to serve anything.
        await OverwriteShareAsync(TestStack.ShareNodeConnectionString(0), id, before[0].ToBytes());
        await OverwriteShareAsync(TestStack.ShareNodeConnectionString(1), id, before[1].ToBytes());
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(3), id);
        await DeleteShareAsync(TestStack.ShareNodeConnectionString(4), id);
        var error = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => vault.RebuildAsync(id, Hash(block), CancellationToken.None));
        Assert.Contains("do not rebuild the block", error.Message, StringComparison.Ordinal);
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
    public async Task Refresh_WithANodeDown_ChangesNothing()
    {
        var id = Guid.NewGuid();
        var block = RandomBlock(200);
        await Vault(StackOptions()).Vault.StoreAsync(id, block, CancellationToken.None);
        var before = await StoredSharesAsync(id);
        var (degraded, _) = Vault(StackOptions(replace: new Dictionary<int, string> { [2] = ClosedPort(2) }));

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => Refresh(degraded).RunAsync(id, Hash(block), CancellationToken.None));

        Assert.Contains("node-3", error.Message, StringComparison.Ordinal);
        var after = await StoredSharesAsync(id);
        Assert.All(Enumerable.Range(0, N), i => Assert.Equal(before[i].Payload.ToArray(), after[i].Payload.ToArray()));
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
