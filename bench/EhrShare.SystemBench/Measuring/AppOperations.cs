using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EhrShare.Core.Monitoring;

namespace EhrShare.SystemBench.Measuring;

/// <summary>
/// The app's own timings of its steps (read.open, access.decision, shares.rebuild, upload, ipfs.add, chain.transaction,
/// …), taken from its <c>ehrshare.operation.duration</c> histogram while a stage runs. They say where an end-to-end
/// request spends its time, inside the server, without changing the app.
/// </summary>
public sealed class AppOperations : IDisposable
{
    private readonly MeterListener _listener = new();
    private ConcurrentQueue<(string Operation, double Ms)> _window = new();

    public AppOperations()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OperationLatencies.MeterName && instrument.Name == "ehrshare.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "operation" && tag.Value is string operation)
                {
                    _window.Enqueue((operation, value));
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Starts a new window: what the app measures from now on.</summary>
    public void Reset() => _window = new ConcurrentQueue<(string Operation, double Ms)>();

    /// <summary>The app's step timings since <see cref="Reset"/>, by operation.</summary>
    public IReadOnlyDictionary<string, List<double>> Take()
    {
        var window = Interlocked.Exchange(ref _window, new ConcurrentQueue<(string Operation, double Ms)>());
        return window.GroupBy(w => w.Operation, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(w => w.Ms).ToList(), StringComparer.Ordinal);
    }

    /// <summary>Writes the p50 of each step the app timed since the last reset, under <paramref name="section"/>.</summary>
    public void Record(Results results, string section, string @case)
    {
        foreach (var (operation, samples) in Take().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var stats = LatencyStats.Of(samples);
            results.Add(section, @case, "app:" + operation + ":p50", stats.P50, "ms");
            results.Add(section, @case, "app:" + operation + ":count", stats.Count, "");
        }
    }

    public void Dispose() => _listener.Dispose();
}
