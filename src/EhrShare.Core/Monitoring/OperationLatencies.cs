using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EhrShare.Core.Monitoring;

/// <summary>Latency percentiles of one operation over its most recent samples.</summary>
public sealed record LatencySummary(string Operation, long Count, double P50Ms, double P95Ms, double MaxMs);

/// <summary>
/// Latencies of the main operations (upload, read, access decision, share store/rebuild, IPFS, chain), kept as the
/// most recent samples per operation for the admin monitor's p50/p95 chart, and published as an
/// <c>ehrshare.operation.duration</c> histogram for metrics exporters.
/// </summary>
public sealed class OperationLatencies : IDisposable
{
    public const string MeterName = "EhrShare";
    private const int Window = 512;
    private readonly ConcurrentDictionary<string, Samples> _samples = new(StringComparer.Ordinal);
    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _histogram;

    public OperationLatencies()
    {
        _histogram = _meter.CreateHistogram<double>("ehrshare.operation.duration", "ms", "Duration of EhrShare operations");
    }

    /// <summary>Times the enclosed work: <c>using (latencies.Measure("read")) { ... }</c>.</summary>
    public Measurement Measure(string operation) => new(this, operation, Stopwatch.GetTimestamp());

    public void Record(string operation, TimeSpan elapsed)
    {
        var ms = elapsed.TotalMilliseconds;
        _samples.GetOrAdd(operation, _ => new Samples()).Add(ms);
        _histogram.Record(ms, new KeyValuePair<string, object?>("operation", operation));
    }

    public IReadOnlyList<LatencySummary> Summaries() =>
        _samples.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Summarize(p.Key)).ToList();

    public void Dispose() => _meter.Dispose();

    public readonly struct Measurement(OperationLatencies owner, string operation, long started) : IDisposable
    {
        public void Dispose() => owner.Record(operation, Stopwatch.GetElapsedTime(started));
    }

    private sealed class Samples
    {
        private readonly double[] _ring = new double[Window];
        private long _count;

        public void Add(double ms)
        {
            lock (_ring)
            {
                _ring[_count % Window] = ms;
                _count++;
            }
        }

        public LatencySummary Summarize(string operation)
        {
            double[] copy;
            long count;
            lock (_ring)
            {
                count = _count;
                copy = _ring[..(int)Math.Min(count, Window)];
            }

            Array.Sort(copy);
            return copy.Length == 0
                ? new LatencySummary(operation, 0, 0, 0, 0)
                : new LatencySummary(operation, count, Percentile(copy, 0.50), Percentile(copy, 0.95), copy[^1]);
        }

        private static double Percentile(double[] sorted, double p) =>
            sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
