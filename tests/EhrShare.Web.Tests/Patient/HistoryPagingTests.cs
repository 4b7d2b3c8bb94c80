using System.Security.Cryptography;
using EhrShare.Core.Access;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Patient;

/// <summary>
/// History pages from the chain index with attempts still in the outbox merged in: every entry once, in order, 25 a
/// page, and the filters applied to both. The index rows are written here (as the indexer writes them, in an old block),
/// the outbox rows are not due (the dispatcher leaves them); both are removed afterwards.
/// </summary>
public sealed class HistoryPagingTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Pages_MergeTheIndexAndTheWaitingAttempts_InOrder_EachOnce_AndFilterBoth()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IEhrDbContext>();
        var me = (await db.ChainAccounts.SingleAsync(a => a.UserId == patient.Id)).Address;
        await WaitForTheIndexAsync(db);

        var doctors = new[] { RandomAccount(), RandomAccount() };
        var start = new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
        var indexed = Enumerable.Range(0, 40).Select(i => new IndexedChainEvent
        {
            BlockNumber = 1,
            BlockHash = "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            LogIndex = i,
            TransactionHash = "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            BlockTime = start.AddMinutes(2 * i),
            Name = "AccessGranted",
            Patient = me,
            Doctor = doctors[i % 2],
            Allowed = true,
            AttemptedAt = start.AddMinutes(2 * i),
            At = start.AddMinutes(2 * i).ToUnixTimeSeconds(),
            Category = ChainEventCategory.Allowed,
        }).ToList();
        // Waiting attempts between indexed ones (odd minutes), one older than all, one newer than all.
        var waiting = new[] { -1, 3, 5, 21, 49, 77, 200 }.Select(m => new AccessLogEntry
        {
            PatientAccount = me,
            ActorUserId = "history-test",
            ActorAccount = doctors[0],
            Actor = AccessActor.Doctor,
            DecidedAllowed = m != 5,
            AttemptedAt = start.AddMinutes(m),
            NextAttemptAt = DateTimeOffset.UtcNow.AddYears(10),
        }).ToList();
        db.ChainEvents.AddRange(indexed);
        db.AccessLog.AddRange(waiting);
        await db.SaveChangesAsync();
        try
        {
            var history = scope.ServiceProvider.GetRequiredService<AccessHistory>();
            var all = await AllPagesAsync(history, patient.Id, new HistoryFilter());
            var expected = indexed.Select(e => (At: e.AttemptedAt!.Value, OnChain: true))
                .Concat(waiting.Select(w => (At: w.AttemptedAt, OnChain: false)))
                .OrderByDescending(x => x.At).ToList();
            Assert.Equal(expected, all.Select(e => (e.At!.Value, e.OnChain)).ToList());

            var denied = await AllPagesAsync(history, patient.Id, new HistoryFilter { Kind = HistoryKind.Denied });
            Assert.Equal([start.AddMinutes(5)], denied.Select(e => e.At!.Value));

            var second = await AllPagesAsync(history, patient.Id, new HistoryFilter { Doctor = doctors[1] });
            Assert.Equal(20, second.Count);
            Assert.All(second, e => Assert.True(e.OnChain));

            var day = await AllPagesAsync(history, patient.Id, new HistoryFilter { From = new DateOnly(2026, 6, 1), To = new DateOnly(2026, 6, 1) });
            Assert.Equal(expected.Count(x => x.At.UtcDateTime.Date == new DateTime(2026, 6, 1)), day.Count);

            await Assert.ThrowsAsync<Core.Common.ValidationFailedException>(() =>
                history.ForPatientAsync(patient.Id, 1, new HistoryFilter { From = new DateOnly(2026, 6, 2), To = new DateOnly(2026, 6, 1) }, default));
        }
        finally
        {
            await db.AccessLog.Where(a => a.ActorUserId == "history-test" && a.PatientAccount == me).ExecuteDeleteAsync();
            var hashes = indexed.Select(e => e.BlockHash).ToList();
            await db.ChainEvents.Where(e => hashes.Contains(e.BlockHash)).ExecuteDeleteAsync();
        }
    }

    private static async Task<List<HistoryEntry>> AllPagesAsync(AccessHistory history, string patientUserId, HistoryFilter filter)
    {
        var entries = new List<HistoryEntry>();
        var first = await history.ForPatientAsync(patientUserId, 1, filter, default);
        entries.AddRange(first.Entries);
        for (var page = 2; page <= first.PageCount; page++)
        {
            var next = await history.ForPatientAsync(patientUserId, page, filter, default);
            Assert.Equal(first.Total, next.Total);
            Assert.True(next.Entries.Count <= AccessHistory.PageSize);
            entries.AddRange(next.Entries);
        }

        Assert.Equal(first.Total, entries.Count);
        Assert.Equal(Math.Max(1, (first.Total + AccessHistory.PageSize - 1) / AccessHistory.PageSize), first.PageCount);
        return entries;
    }

    /// <summary>Until the app's indexer has read past block 1 (it starts with the app).</summary>
    private static async Task WaitForTheIndexAsync(IEhrDbContext db)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while ((await db.ChainIndex.AsNoTracking().Select(s => (long?)s.Block).FirstOrDefaultAsync(timeout.Token) ?? -1) < 1)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private static string RandomAccount() => "0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
}
