using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// End-to-end latencies through HTTP, one request at a time, as a browser sees them (from sending the request to the
/// last byte of the answer): uploads by size, and reads by a granted doctor versus attempts by a doctor without a
/// grant. Each series is followed by waiting for the access-log outbox to drain, so series do not overlap. Where a
/// series is compared with its primitives, one set of them (<see cref="Baselines"/>) is sampled before each request,
/// alternating, so both sides of the ratio see the same load.
/// </summary>
public sealed class Latency(Outbox outbox, AppOperations operations, RequestSpans spans, Results results, Progress progress)
{
    private readonly byte[] _buffer = new byte[256 * 1024];

    public async Task UploadsAsync(Browser patient, Baselines baselines)
    {
        var content = RandomNumberGenerator.GetBytes(Sizes.Upload[^1].Bytes);
        foreach (var (bytes, name) in Sizes.Upload)
        {
            var iterations = bytes switch { <= 100 * 1024 => 30, <= Sizes.OneMiB => 20, <= 10 * Sizes.OneMiB => 8, _ => 4 };
            await SeriesAsync("upload", name, iterations, bytes <= Sizes.OneMiB ? 3 : 1, baselines.Upload(bytes, name), async i =>
            {
                // Fresh bytes at the start so no two uploads are alike (the cipher's fresh key makes them differ anyway).
                RandomNumberGenerator.Fill(content.AsSpan(0, Math.Min(bytes, 64)));
                await patient.UploadAsync($"bench upload {name} {i}", content, bytes);
            });
        }
    }

    /// <summary>
    /// Authorised reads of the 1 MiB and 1 KiB records, and unauthorised attempts on the 1 MiB one; with the primitives
    /// of <paramref name="baselines"/> interleaved (null at the 1 s block time, whose figures are compared with automine's).
    /// </summary>
    public async Task AccessAsync(string mode, WorldState world, Browser doctor, Browser outsider, Baselines? baselines)
    {
        var big = $"/Doctor/Records/{world.Record1MiB}/Download";
        var small = $"/Doctor/Records/{world.Record1KiB}/Download";
        await SeriesAsync("access " + mode, "authorised 1 MiB", 200, 10, baselines?.Read("1 MiB"), _ => ExpectAsync(doctor, big, HttpStatusCode.OK, Sizes.OneMiB));
        await SeriesAsync("access " + mode, "unauthorised", 200, 10, baselines?.Refusal(), _ => ExpectAsync(outsider, big, HttpStatusCode.Forbidden, null));
        await SeriesAsync("access " + mode, "authorised 1 KiB", 200, 10, baselines?.Read("1 KiB"), _ => ExpectAsync(doctor, small, HttpStatusCode.OK, Sizes.OneKiB));

        // How long until the attempt is on the chain (the outbox's transaction mined): the read itself never waits for it.
        var audit = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await ExpectAsync(doctor, small, HttpStatusCode.OK, Sizes.OneKiB);
            await outbox.DrainAsync(TimeSpan.FromSeconds(60));
            audit.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            progress.Report($"audit on chain {i + 1}/15");
        }

        results.AddLatencies("access " + mode, "read until audit mined", audit);
    }

    /// <summary>Authorised reads of the 50 MiB record (automine only): the large end of the read-vs-primitives comparison.</summary>
    public Task LargeReadAsync(WorldState world, Browser doctor, Baselines baselines) =>
        SeriesAsync("access automine", "authorised 50 MiB", 6, 1, baselines.Read("50 MiB"),
            _ => ExpectAsync(doctor, $"/Doctor/Records/{world.Record50MiB}/Download", HttpStatusCode.OK, Sizes.FiftyMiB));

    private async Task ExpectAsync(Browser browser, string url, HttpStatusCode status, long? length)
    {
        var (got, bytes) = await browser.GetAsync(url, _buffer);
        if (got != status || (length is { } l && bytes != l))
        {
            throw new InvalidOperationException($"GET {url}: expected {(int)status}{(length is null ? "" : $" with {length} bytes")}, got {(int)got} with {bytes} bytes.");
        }
    }

    private async Task SeriesAsync(string section, string @case, int iterations, int warmup, IReadOnlyList<Primitive>? baseline, Func<int, Task> request)
    {
        baseline ??= [];
        var primitives = baseline.Select(_ => new List<double>(iterations)).ToArray();
        for (var i = 0; i < warmup; i++)
        {
            await SampleBaselineAsync(baseline, null);
            await request(-1 - i);
        }

        await outbox.DrainAsync(TimeSpan.FromSeconds(120));
        operations.Reset();
        spans.Reset();
        var samples = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            // One set of primitives, then one request (the primitives run outside any HTTP request, so the request
            // spans and the app's step timings count the requests alone).
            await SampleBaselineAsync(baseline, primitives);
            var started = Stopwatch.GetTimestamp();
            await request(i);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            progress.Report($"{section}, {@case}: {i + 1}/{iterations}");
        }

        operations.Record(results, section, @case);
        spans.Record(results, section, @case);
        var drained = await outbox.DrainAsync(TimeSpan.FromSeconds(120));
        results.Add(section, @case, "outbox_drain_after", drained.TotalMilliseconds, "ms");
        results.AddLatencies(section, @case, samples);
        for (var p = 0; p < baseline.Count; p++)
        {
            results.AddLatencies(Baselines.SectionPrefix + section, $"{@case}: {baseline[p].Name}", primitives[p]);
        }

        if (baseline.Count > 0)
        {
            results.AddLatencies(Baselines.SectionPrefix + section, $"{@case}: sum", Enumerable.Range(0, iterations).Select(i => primitives.Sum(p => p[i])).ToList());
        }
    }

    private static async Task SampleBaselineAsync(IReadOnlyList<Primitive> baseline, List<double>[]? into)
    {
        for (var p = 0; p < baseline.Count; p++)
        {
            var started = Stopwatch.GetTimestamp();
            await baseline[p].Run();
            into?[p].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
