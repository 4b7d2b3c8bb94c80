using System.Diagnostics;
using System.Globalization;
using System.Net;
using EhrShare.Core.Access;
using EhrShare.Testing;
using EhrShare.Web.Tests.Doctor;
using EhrShare.Web.Tests.Support;
using Xunit.Abstractions;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>
/// One instance sends the access log (it holds the outbox's MariaDB named lock); the other stands by. Killed with
/// SIGKILL, the sender's connections drop, MariaDB releases the lock, and the standby takes it at its next try: at once
/// when a read signals it, else within <c>Outbox:PollInterval</c>. What the dead instance had recorded, sent or was
/// sending is then delivered by the survivor, each attempt once.
/// </summary>
[Collection(SeveralInstancesCollection.Name)]
public sealed class OutboxTakeoverTests(TwoInstancesFixture deployment, ITestOutputHelper output)
{
    private const int Burst = 16;

    [Fact]
    public async Task KillingTheSender_WhileReadsAreLogged_TheOtherTakesOverWithinThePollInterval_AndEveryAttemptIsOnTheChainOnce()
    {
        try
        {
            var sender = await deployment.OutboxSenderAsync(TimeSpan.FromSeconds(60));
            var survivor = deployment.Other(sender);
            var patient = await Steps.ApprovedPatientAsync(deployment, registerOn: sender, approveOn: survivor);
            var doctor = await Steps.ApprovedDoctorAsync(deployment, registerOn: survivor, approveOn: sender);
            using var p = await Steps.SignedInAsync(sender, patient.Email);
            using var d = await Steps.SignedInAsync(survivor, doctor.Email);
            var records = new List<Guid>();
            for (var i = 0; i < 3; i++)
            {
                records.Add(await p.On(i == 1 ? survivor : sender).UploadRecordAsync($"Result {i}", $"result-{i}.pdf", "application/pdf", SampleFiles.Pdf(600)));
            }

            await DoctorAccessTests.RequestAsync(d.On(survivor), patient.Address!);
            using (var grant = await p.On(sender).SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant"))
            {
                Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
            }

            // Reads on the survivor all along: before, through and after the kill.
            await using var reads = SurvivorReads.Start(d.On(survivor), p.On(survivor), records);

            // A burst of reads on the sender, and it is killed at once, while it is sending their entries to the chain.
            await Task.WhenAll(Enumerable.Range(0, Burst).Select(i => i % 4 == 3
                ? ReadAsync(p.On(sender), $"/Patient/Records/{records[i % records.Count]}/Download")
                : ReadAsync(d.On(sender), $"/Doctor/Records/{records[i % records.Count]}/Download")));
            var survivorLines = survivor.Output.LineCount;
            var killedAt = Stopwatch.GetTimestamp();
            await deployment.KillAsync(sender);
            var atKill = await deployment.AccessLogAsync(records);

            var took = await survivor.Output.WaitForLineAsync(TwoInstancesFixture.SendsTheAccessLog, TimeSpan.FromSeconds(60), after: survivorLines);
            var takeover = Stopwatch.GetElapsedTime(killedAt, took.ReadAt);
            var readsAtTakeover = reads.Count;
            await reads.WaitForAsync(readsAtTakeover + 5, TimeSpan.FromSeconds(60));
            var survivorReads = await reads.StopAsync();

            var entries = await Steps.ConfirmedAsync(deployment, records, Burst + survivorReads);
            var allConfirmed = Stopwatch.GetElapsedTime(killedAt);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Outbox:PollInterval {TwoInstancesFixture.PollInterval.TotalSeconds} s. At the kill: {atKill.Count} entries, " +
                $"{atKill.Count(e => e.State == OutboxState.Pending)} pending, {atKill.Count(e => e.State == OutboxState.Sent)} sent, " +
                $"{atKill.Count(e => e.State == OutboxState.Confirmed)} confirmed. Lock taken by the survivor {takeover.TotalMilliseconds:0} ms after the kill " +
                $"({readsAtTakeover} reads on it by then); all {entries.Count} entries confirmed {allConfirmed.TotalSeconds:0.0} s after the kill."));

            Assert.Equal(Burst + survivorReads, entries.Count);
            Assert.All(entries, e => Assert.True(e.ChainAllowed, $"entry #{e.Id} is on the chain as a denial"));
            await Steps.AssertEachOnTheChainOnceAsync(deployment, patient, entries);
            // The lock goes with the dead process's connection; the survivor tries again on its next read or poll.
            Assert.True(takeover < TwoInstancesFixture.PollInterval + TimeSpan.FromSeconds(10),
                $"the survivor took the outbox lock {takeover.TotalSeconds:0.0} s after the kill (poll interval {TwoInstancesFixture.PollInterval.TotalSeconds} s)");
        }
        finally
        {
            // Two instances again for the tests after this one.
            await deployment.EnsureTwoRunningAsync();
        }
    }

    private static async Task ReadAsync(WebSession session, string url)
    {
        using var response = await session.Client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
    }

    /// <summary>The doctor (three reads in four) and the patient reading on the surviving instance, one read at a time, until stopped.</summary>
    private sealed class SurvivorReads : IAsyncDisposable
    {
        private readonly WebSession _doctor;
        private readonly WebSession _patient;
        private readonly IReadOnlyList<Guid> _records;
        private Task _running = Task.CompletedTask;
        private volatile bool _stop;
        private int _count;

        private SurvivorReads(WebSession doctor, WebSession patient, IReadOnlyList<Guid> records)
        {
            _doctor = doctor;
            _patient = patient;
            _records = records;
        }

        public int Count => Volatile.Read(ref _count);

        public static SurvivorReads Start(WebSession doctor, WebSession patient, IReadOnlyList<Guid> records)
        {
            var reads = new SurvivorReads(doctor, patient, records);
            reads._running = Task.Run(reads.RunAsync);
            return reads;
        }

        /// <summary>Returns once <paramref name="count"/> reads were made; a failed read fails the wait.</summary>
        public async Task WaitForAsync(int count, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (Count < count)
            {
                if (_running.IsCompleted)
                {
                    await _running;
                }

                Assert.True(watch.Elapsed < timeout, $"only {Count} reads on the survivor within {timeout.TotalSeconds} s");
                await Task.Delay(50);
            }
        }

        /// <summary>Stops after the read in progress; returns how many reads were made.</summary>
        public async Task<int> StopAsync()
        {
            _stop = true;
            await _running;
            return Count;
        }

        public async ValueTask DisposeAsync()
        {
            _stop = true;
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private async Task RunAsync()
        {
            for (var i = 0; !_stop; i++)
            {
                var record = _records[i % _records.Count];
                // A read is never cut short: every read the server answered is counted, so the outbox must hold exactly as many.
                await (i % 4 == 3
                    ? ReadAsync(_patient, $"/Patient/Records/{record}/Download")
                    : ReadAsync(_doctor, $"/Doctor/Records/{record}/Download"));
                Interlocked.Increment(ref _count);
            }
        }
    }
}
