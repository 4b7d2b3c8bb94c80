using EhrShare.Testing;
using Xunit.Abstractions;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>
/// <c>shares scan|repair</c> as an operator runs them: the built EhrShare.Web.dll as its own process, pointed at a
/// throw-away app database and throw-away nodes. Exit codes: 0 clean or fully repaired, 3 problems left.
/// </summary>
public sealed class SharesCommandTests(ITestOutputHelper log)
{
    [Fact]
    public async Task SharesScan_OnHealthyNodes_PrintsTheTable_AndExitsZero()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        await stack.AddRecordAsync();
        await stack.AddRecordAsync();

        var (exit, output) = await RunAsync(stack, "shares", "scan");

        Assert.True(exit == 0, output);
        Assert.Contains("2 committed record(s), 5 node(s)", output, StringComparison.Ordinal);
        Assert.Matches(@"node\s+x\s+reachable\s+shares\s+missing\s+corrupt\s+orphans", output);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Matches($@"node-{i}\s+{i}\s+yes\s+2\s+0\s+0\s+0", output);
        }

        Assert.Contains("Clean:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharesScan_WithACorruptShare_ExitsThree_ThenRepairFixesIt_AndScanExitsZero()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync();
        await FlipPayloadByteAsync(stack.NodeConnectionStrings[1], id);

        var (scanExit, scanOutput) = await RunAsync(stack, "shares", "scan");

        Assert.True(scanExit == 3, scanOutput);
        Assert.Matches(@"node-2\s+2\s+yes\s+1\s+0\s+1\s+0", scanOutput);
        Assert.Contains($"node-2: record {id}: corrupt:", scanOutput, StringComparison.Ordinal);

        var (repairExit, repairOutput) = await RunAsync(stack, "shares", "repair");

        Assert.True(repairExit == 0, repairOutput);
        Assert.Contains("Repaired 1 share(s):", repairOutput, StringComparison.Ordinal);
        Assert.Contains($"node-2: record {id}: was corrupt", repairOutput, StringComparison.Ordinal);
        Assert.Contains("Repair complete.", repairOutput, StringComparison.Ordinal);

        var (againExit, againOutput) = await RunAsync(stack, "shares", "scan");
        Assert.True(againExit == 0, againOutput);
    }

    [Fact]
    public async Task SharesRepair_WithAnUnrecoverableRecord_ExitsThree_NamingIt()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();
        var (id, _) = await stack.AddRecordAsync();
        foreach (var i in new[] { 0, 1, 2 })
        {
            await DeleteShareAsync(stack.NodeConnectionStrings[i], id);
        }

        var (exit, output) = await RunAsync(stack, "shares", "repair");

        Assert.True(exit == 3, output);
        Assert.Contains($"record {id}: unrecoverable", output, StringComparison.Ordinal);
        Assert.Contains("Repair incomplete", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shares_WithAnUnknownAction_ExitsTwo_SayingWhatIsAccepted()
    {
        await using var stack = await IsolatedShareNodes.CreateAsync();

        var (exit, output) = await RunAsync(stack, "shares", "fix");

        Assert.True(exit == 2, output);
        Assert.Contains("'shares scan', 'shares repair', 'shares refresh' or 'shares cancel-refresh'", output, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> RunAsync(IsolatedShareNodes stack, params string[] args)
    {
        var (exit, output) = await EhrAppProcess.RunCommandAsync(args, stack.AppSettings());
        log.WriteLine($"$ {string.Join(' ', args)}  (exit {exit})\n{output}\n");
        return (exit, output);
    }
}
