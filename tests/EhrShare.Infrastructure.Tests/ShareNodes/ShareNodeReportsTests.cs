using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Infrastructure.Tests.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EhrShare.Infrastructure.Tests.ShareNodes.ShareNodeTestKit;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>
/// The monitor's share-node problem counts and last scan, kept in a throw-away app database: each
/// <see cref="ShareNodeReports"/> here stands for one app instance, as in a deployment of several.
/// </summary>
public sealed class ShareNodeReportsTests
{
    private static readonly ShareNodeOptions Nodes = Options(["unused-1", "unused-2", "unused-3"]);

    [Fact]
    public async Task ProblemsReportedByTwoInstancesAtOnce_AddUp_AndBothShowTheSameCountsAndLastProblem()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        await using var services = Services(database);
        var clock = new SetClock();
        var a = Reports(services, clock);
        var b = Reports(services, clock);
        var record = Guid.NewGuid();

        // Both instances report and write at the same time, in several rounds.
        await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            var reports = i == 0 ? a : b;
            for (var round = 0; round < 5; round++)
            {
                for (var n = 0; n < 10; n++)
                {
                    reports.Report(new ShareProblem(ShareProblemKind.Missing, "node-2", Guid.NewGuid(), "no share"));
                }

                reports.Report(new ShareProblem(ShareProblemKind.Unreachable, "node-3", null, "connection refused"));
                await reports.FlushAsync(CancellationToken.None);
            }
        })));
        clock.Advance(TimeSpan.FromMinutes(1));
        b.Report(new ShareProblem(ShareProblemKind.Corrupt, "node-2", record, "checksum mismatch"));
        await b.FlushAsync(CancellationToken.None);

        var seenByA = await a.SnapshotAsync(CancellationToken.None);
        var seenByB = await b.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["node-1", "node-2", "node-3"], seenByA.Select(s => s.Node));
        var node2 = seenByA[1];
        Assert.Equal(100, node2.Counts[ShareProblemKind.Missing]);
        Assert.Equal(1, node2.Counts[ShareProblemKind.Corrupt]);
        Assert.Equal(new ShareProblem(ShareProblemKind.Corrupt, "node-2", record, "checksum mismatch"), node2.LastProblem);
        Assert.Equal(clock.GetUtcNow(), node2.LastProblemAt);
        Assert.Equal(10, seenByA[2].Total);
        Assert.Equal(0, seenByA[0].Total);
        Assert.Equal(Describe(seenByA), Describe(seenByB));
        Assert.Equal(0, a.UnwrittenCount() + b.UnwrittenCount());
    }

    [Fact]
    public async Task AProblemWrittenLate_DoesNotHideANewerOne()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        await using var services = Services(database);
        var clock = new SetClock();
        var slow = Reports(services, clock);
        var fast = Reports(services, clock);
        slow.Report(new ShareProblem(ShareProblemKind.Missing, "node-1", null, "older"));
        clock.Advance(TimeSpan.FromSeconds(5));
        fast.Report(new ShareProblem(ShareProblemKind.Missing, "node-1", null, "newer"));

        await fast.FlushAsync(CancellationToken.None);
        await slow.FlushAsync(CancellationToken.None);

        var node1 = await slow.ForAsync("node-1", CancellationToken.None);
        Assert.Equal(2, node1.Counts[ShareProblemKind.Missing]);
        Assert.Equal("newer", node1.LastProblem!.Detail);
        Assert.Equal(clock.GetUtcNow(), node1.LastProblemAt);
    }

    [Fact]
    public async Task WhenTheWriteFails_TheProblemsStay_AndTheNextWriteAddsThemAll()
    {
        // Not migrated yet: the table is missing, as the database is out of reach for the writer.
        await using var database = await ThrowawayAppDatabase.CreateAsync(migrate: false);
        await using var services = Services(database);
        var reports = Reports(services, TimeProvider.System);
        for (var i = 0; i < 3; i++)
        {
            reports.Report(new ShareProblem(ShareProblemKind.WriteFailed, "node-1", Guid.NewGuid(), "refused"));
        }

        await Assert.ThrowsAnyAsync<Exception>(() => reports.FlushAsync(CancellationToken.None));
        reports.Report(new ShareProblem(ShareProblemKind.WriteFailed, "node-1", null, "refused again"));
        Assert.Equal(4, reports.UnwrittenCount());

        await using (var db = new EhrDbContext(database.Options))
        {
            await db.Database.MigrateAsync();
        }

        await reports.FlushAsync(CancellationToken.None);

        var node1 = await reports.ForAsync("node-1", CancellationToken.None);
        Assert.Equal(4, node1.Counts[ShareProblemKind.WriteFailed]);
        Assert.Equal("refused again", node1.LastProblem!.Detail);
        Assert.Equal(0, reports.UnwrittenCount());
    }

    [Fact]
    public async Task AScanRecordedByOneInstance_IsTheLastScanForTheOther()
    {
        await using var database = await ThrowawayAppDatabase.CreateAsync();
        await using var services = Services(database);
        var a = Reports(services, TimeProvider.System);
        var b = Reports(services, TimeProvider.System);
        Assert.Null(await b.LastScanAsync(CancellationToken.None));
        var started = DateTimeOffset.UtcNow;
        ShareScanNodeReport Node(string name, int missing) => new(name, 1, true, null, 4, missing, 0, 0);
        await a.RecordScanAsync(
            new ShareScanReport(started, started.AddSeconds(1), 4, 0, [Node("node-1", 0), Node("node-2", 0)], [], 0), CancellationToken.None);
        var second = new ShareScanReport(started.AddMinutes(1), started.AddMinutes(1).AddSeconds(2), 5, 0, [Node("node-1", 0), Node("node-2", 1)],
            [new ShareProblem(ShareProblemKind.Missing, "node-2", Guid.NewGuid(), "no share")], 0);

        await a.RecordScanAsync(second, CancellationToken.None);

        var last = await b.LastScanAsync(CancellationToken.None);
        Assert.NotNull(last);
        Assert.True((last.FinishedAt - second.FinishedAt).Duration() < TimeSpan.FromMilliseconds(1), $"{last.FinishedAt:O} recorded for {second.FinishedAt:O}");
        Assert.False(last.Clean);
        Assert.Equal(1, last.ProblemCount);
        Assert.Equal(5, last.RecordsChecked);
        Assert.Equal("1 problem(s) in 5 record(s): node-2 1 missing, 0 corrupt, 0 orphan(s)", last.Summary);
    }

    private static ServiceProvider Services(ThrowawayAppDatabase database) => new ServiceCollection()
        .AddDbContext<EhrDbContext>(o => o.UseMySql(database.ConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion)))
        .BuildServiceProvider();

    private static ShareNodeReports Reports(ServiceProvider services, TimeProvider clock) =>
        new(Wrap(Nodes), services.GetRequiredService<IServiceScopeFactory>(), clock);

    /// <summary>A clock the test sets (no FakeTimeProvider package here).</summary>
    private sealed class SetClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static string Describe(IEnumerable<ShareNodeProblemSummary> statuses) => string.Join("\n", statuses.Select(s =>
        $"{s.Node}: {string.Join(", ", s.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}; last {s.LastProblem} at {s.LastProblemAt:O}"));
}
