using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// Closed-loop clients for a fixed time at each level: 1, 4, 16 and 64 doctors reading the 1 KiB record (each its own
/// browser session and account, so their audit transactions come from different accounts), and 1, 4 and 16 patients
/// uploading 1 KiB records. Throughput counts the requests completed inside the measuring window; latency is over
/// those requests. After each level the outbox is drained (its time is reported) so levels do not overlap.
/// </summary>
public sealed class Concurrency(Outbox outbox, AppOperations operations, Results results, Progress progress)
{
    public static readonly int[] ReaderLevels = [1, 4, 16, 64];
    public static readonly int[] UploaderLevels = [1, 4, 16];
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1.5);
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public async Task ReadersAsync(WorldState world, IReadOnlyList<Browser> doctors)
    {
        var url = $"/Doctor/Records/{world.Record1KiB}/Download";
        foreach (var level in ReaderLevels)
        {
            await LevelAsync("concurrency readers", level, doctors.Take(level).ToList(), async (browser, buffer) =>
            {
                var (status, length) = await browser.GetAsync(url, buffer);
                if (status != HttpStatusCode.OK || length != Sizes.OneKiB)
                {
                    throw new InvalidOperationException($"Concurrent read: HTTP {(int)status}, {length} bytes.");
                }
            });
        }
    }

    public async Task UploadersAsync(IReadOnlyList<Browser> patients)
    {
        foreach (var level in UploaderLevels)
        {
            await LevelAsync("concurrency uploaders", level, patients.Take(level).ToList(), async (browser, buffer) =>
            {
                RandomNumberGenerator.Fill(buffer.AsSpan(0, Sizes.OneKiB));
                await browser.UploadAsync("bench concurrent upload", buffer, Sizes.OneKiB);
            });
        }
    }

    private async Task LevelAsync(string section, int level, List<Browser> clients, Func<Browser, byte[], Task> request)
    {
        var @case = level.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var measureFrom = Warmup;
        var measureTo = Warmup + Window;
        var samples = new List<double>[clients.Count];
        var completed = 0;
        operations.Reset();
        var tasks = clients.Select(async (browser, c) =>
        {
            samples[c] = [];
            var buffer = new byte[64 * 1024];
            while (clock.Elapsed < measureTo)
            {
                var started = clock.Elapsed;
                await request(browser, buffer);
                var ended = clock.Elapsed;
                if (started >= measureFrom && ended <= measureTo)
                {
                    samples[c].Add((ended - started).TotalMilliseconds);
                    var n = Interlocked.Increment(ref completed);
                    progress.Report($"{level} clients: {n} requests");
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);
        operations.Record(results, section, @case);
        var all = samples.SelectMany(s => s).ToList();
        results.Add(section, @case, "throughput", all.Count / Window.TotalSeconds, "req/s");
        results.AddLatencies(section, @case, all);
        var drained = await outbox.DrainAsync(TimeSpan.FromMinutes(4), open => progress.Report($"{level} clients: draining the outbox, {open} left"));
        results.Add(section, @case, "outbox_drain_after", drained.TotalMilliseconds, "ms");
        // The audit transactions still queued at the end of the window are work the window did not pay for.
        results.Add(section, @case, "throughput_with_audit", all.Count / (Window + drained).TotalSeconds, "req/s");
        progress.Note($"{section} at {level}: {all.Count / Window.TotalSeconds:0.0} req/s, p50 {LatencyStats.Of(all).P50:0.0} ms (outbox drained in {drained.TotalSeconds:0.0} s)");
    }
}
