using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// Closed-loop clients at each level: 1, 4, 16 and 64 doctors reading the 1 KiB record (each its own browser session
/// and account, so their audit transactions come from different accounts), and 1, 4 and 16 patients uploading 1 KiB
/// records. The levels are compared with the one-client level, so they are measured interleaved: <see cref="Rounds"/>
/// rounds, each giving every level a short window in turn (after a short warm-up), so each level sees the same load
/// on the shared machine. Throughput counts the requests completed inside the windows (by their end); latency is over those
/// requests. After each window the outbox is drained (its time is reported, summed per level, and the longest after one
/// window) so windows do not overlap.
/// </summary>
public sealed class Concurrency(Outbox outbox, AppOperations operations, Results results, Progress progress)
{
    public static readonly int[] ReaderLevels = [1, 4, 16, 64];
    public static readonly int[] UploaderLevels = [1, 4, 16];
    public const int Rounds = 4;
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.5);
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2.5);

    public async Task ReadersAsync(WorldState world, IReadOnlyList<Browser> doctors)
    {
        var url = $"/Doctor/Records/{world.Record1KiB}/Download";
        await LevelsAsync("concurrency readers", ReaderLevels, doctors, async (browser, buffer) =>
        {
            var (status, length) = await browser.GetAsync(url, buffer);
            if (status != HttpStatusCode.OK || length != Sizes.OneKiB)
            {
                throw new InvalidOperationException($"Concurrent read: HTTP {(int)status}, {length} bytes.");
            }
        });
    }

    public Task UploadersAsync(IReadOnlyList<Browser> patients) =>
        LevelsAsync("concurrency uploaders", UploaderLevels, patients, async (browser, buffer) =>
        {
            RandomNumberGenerator.Fill(buffer.AsSpan(0, Sizes.OneKiB));
            await browser.UploadAsync("bench concurrent upload", buffer, Sizes.OneKiB);
        });

    private async Task LevelsAsync(string section, int[] levels, IReadOnlyList<Browser> browsers, Func<Browser, byte[], Task> request)
    {
        var samples = levels.ToDictionary(l => l, _ => new List<double>());
        var drains = levels.ToDictionary(l => l, _ => TimeSpan.Zero);
        var longestDrains = levels.ToDictionary(l => l, _ => TimeSpan.Zero);
        var steps = levels.ToDictionary(l => l, _ => new Dictionary<string, List<double>>(StringComparer.Ordinal));
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var level in levels)
            {
                var prefix = $"round {round + 1}/{Rounds}, {level} clients";
                operations.Reset();
                samples[level].AddRange(await WindowAsync(browsers.Take(level).ToList(), request, n => progress.Report($"{prefix}: {n} requests")));
                foreach (var (operation, values) in operations.Take())
                {
                    (steps[level].TryGetValue(operation, out var list) ? list : steps[level][operation] = []).AddRange(values);
                }

                var drain = await outbox.DrainAsync(TimeSpan.FromMinutes(4), open => progress.Report($"{prefix}: draining the outbox, {open} left"));
                drains[level] += drain;
                longestDrains[level] = drain > longestDrains[level] ? drain : longestDrains[level];
            }
        }

        var measured = Window * Rounds;
        foreach (var level in levels)
        {
            var @case = level.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var all = samples[level];
            foreach (var (operation, values) in steps[level].OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                results.Add(section, @case, "app:" + operation + ":p50", LatencyStats.Of(values).P50, "ms");
                results.Add(section, @case, "app:" + operation + ":count", values.Count, "");
            }

            results.Add(section, @case, "throughput", all.Count / measured.TotalSeconds, "req/s");
            results.AddLatencies(section, @case, all);
            results.Add(section, @case, "outbox_drain_after", drains[level].TotalMilliseconds, "ms");
            results.Add(section, @case, "outbox_drain_after_longest", longestDrains[level].TotalMilliseconds, "ms");
            // The audit transactions still queued at the end of a window are work the window did not pay for.
            results.Add(section, @case, "throughput_with_audit", all.Count / (measured + drains[level]).TotalSeconds, "req/s");
            progress.Note($"{section} at {level}: {all.Count / measured.TotalSeconds:0.0} req/s, p50 {LatencyStats.Of(all).P50:0.0} ms (outbox drained in {drains[level].TotalSeconds:0.0} s)");
        }
    }

    /// <summary>One window of one level: the clients loop for the warm-up and the window; the window's requests count.</summary>
    private static async Task<List<double>> WindowAsync(List<Browser> clients, Func<Browser, byte[], Task> request, Action<int> report)
    {
        var clock = Stopwatch.StartNew();
        var measureFrom = Warmup;
        var measureTo = Warmup + Window;
        var samples = new List<double>[clients.Count];
        var completed = 0;
        var tasks = clients.Select(async (browser, c) =>
        {
            samples[c] = [];
            var buffer = new byte[64 * 1024];
            while (clock.Elapsed < measureTo)
            {
                var started = clock.Elapsed;
                await request(browser, buffer);
                var ended = clock.Elapsed;
                // By completion time: a window counts what completes inside it (its first requests started in the warm-up).
                if (ended >= measureFrom && ended <= measureTo)
                {
                    samples[c].Add((ended - started).TotalMilliseconds);
                    report(Interlocked.Increment(ref completed));
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);
        return samples.SelectMany(s => s).ToList();
    }
}
