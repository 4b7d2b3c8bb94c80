using System.Diagnostics;
using System.Net;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// Peak memory while a 200 MiB record is uploaded and then read back to its last byte: the process's working set above
/// its idle working set (<see cref="WorkingSet"/>). The process holds the app and its HTTP clients; the client streams
/// the file from a 64 KiB buffer (<see cref="GeneratedContent"/>) and reads the download into a 256 KiB one, so what
/// grows is the app's own use. The hosted app's upload limit is raised for this (<see cref="Settings"/>).
/// </summary>
public sealed class Memory(Outbox outbox, Results results, Progress progress)
{
    public const string Section = "memory";
    public const int Bytes = 200 * Sizes.OneMiB;
    private const string Title = "bench memory 200 MiB";

    /// <summary>The app's settings this stage needs: an upload limit above the 200 MiB file.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Records:MaxUploadBytes"] = (256L * Sizes.OneMiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async Task RunAsync(BenchApp app, WorldState world, Browser patient, Browser doctor)
    {
        progress.Report("uploading 200 MiB");
        await MeasureAsync("upload 200 MiB", () => patient.UploadAsync(Title, new GeneratedContent(Bytes)));
        var id = await World.RecordIdAsync(app, world.Patient, Title);
        var buffer = new byte[256 * 1024];
        progress.Report("reading 200 MiB");
        await MeasureAsync("read 200 MiB", async () =>
        {
            var (status, length) = await doctor.GetAsync($"/Doctor/Records/{id}/Download", buffer);
            if (status != HttpStatusCode.OK || length != Bytes)
            {
                throw new InvalidOperationException($"Reading the 200 MiB record: HTTP {(int)status}, {length} bytes.");
            }
        });
        results.Add(Section, "", "gc", System.Runtime.GCSettings.IsServerGC ? "server" : "workstation");
    }

    private async Task MeasureAsync(string @case, Func<Task> operation)
    {
        await outbox.DrainAsync(TimeSpan.FromSeconds(60));
        var idle = await WorkingSet.IdleAsync();
        var watch = Stopwatch.StartNew();
        var (sampled, highWater, samples) = await WorkingSet.PeakDuringAsync(operation);
        var seconds = watch.Elapsed.TotalSeconds;
        results.Add(Section, @case, "idle_bytes", idle, "B");
        results.Add(Section, @case, "peak_sampled_bytes", sampled, "B");
        results.Add(Section, @case, "peak_kernel_bytes", highWater ?? double.NaN, "B");
        results.Add(Section, @case, "above_idle_bytes", Math.Max(sampled, highWater ?? 0) - idle, "B");
        results.Add(Section, @case, "samples", samples, "");
        results.Add(Section, @case, "seconds", seconds, "s");
        progress.Note($"{@case}: peak {(Math.Max(sampled, highWater ?? 0) - idle) / 1048576.0:0.0} MiB above idle ({seconds:0.0} s, {samples} samples)");
    }
}
