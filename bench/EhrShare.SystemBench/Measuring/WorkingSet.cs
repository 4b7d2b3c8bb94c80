using System.Diagnostics;

namespace EhrShare.SystemBench.Measuring;

/// <summary>
/// This process's working set (resident memory) while an operation runs: a dedicated thread reads
/// <see cref="Process.WorkingSet64"/> every 2 ms and keeps the highest value. Linux's own high-water mark (VmHWM in
/// /proc/self/status, reset by writing 5 to /proc/self/clear_refs) is read too, as a check that catches a peak
/// between two samples.
/// </summary>
public sealed class WorkingSet
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);

    /// <summary>The idle working set: after a full, compacting collection, the median of samples over half a second.</summary>
    public static async Task<long> IdleAsync()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        await Task.Delay(200);
        using var process = Process.GetCurrentProcess();
        var samples = new List<double>();
        for (var i = 0; i < 25; i++)
        {
            process.Refresh();
            samples.Add(process.WorkingSet64);
            await Task.Delay(20);
        }

        return (long)LatencyStats.Median(samples);
    }

    /// <summary>Runs <paramref name="operation"/> while sampling; returns the sampled peak, the kernel's peak (or null) and the sample count.</summary>
    public static async Task<(long Sampled, long? HighWater, int Samples)> PeakDuringAsync(Func<Task> operation)
    {
        var kernel = ResetHighWater();
        long peak = 0;
        var samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            using var process = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                samples++;
                Thread.Sleep(Interval);
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "working-set sampler" };
        sampler.Start();
        try
        {
            await operation();
        }
        finally
        {
            await stop.CancelAsync();
            sampler.Join();
        }

        return (peak, kernel ? HighWater() : null, samples);
    }

    private static bool ResetHighWater()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? HighWater()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
