using System.Globalization;
using System.Text;

namespace EhrShare.SystemBench.Measuring;

/// <summary>
/// Everything a run measures, as rows of results.csv (section, case, metric, value, unit) and raw latency samples in
/// samples.csv (section, case, milliseconds). Each stage appends; the report is made from these two files alone, so
/// it can be made again (<c>report</c>) without running anything.
/// </summary>
public sealed class Results
{
    public const string ResultsFile = "results.csv";
    public const string SamplesFile = "samples.csv";
    private readonly string _dir;
    private readonly Lock _gate = new();

    public Results(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
        if (!File.Exists(Path.Combine(dir, ResultsFile)))
        {
            File.WriteAllText(Path.Combine(dir, ResultsFile), "section,case,metric,value,unit\n");
        }

        if (!File.Exists(Path.Combine(dir, SamplesFile)))
        {
            File.WriteAllText(Path.Combine(dir, SamplesFile), "section,case,ms\n");
        }
    }

    public void Add(string section, string @case, string metric, double value, string unit) =>
        Add(section, @case, metric, value.ToString("0.######", CultureInfo.InvariantCulture), unit);

    public void Add(string section, string @case, string metric, string value, string unit = "")
    {
        lock (_gate)
        {
            File.AppendAllText(Path.Combine(_dir, ResultsFile),
                string.Join(',', Csv(section), Csv(@case), Csv(metric), Csv(value), Csv(unit)) + "\n");
        }
    }

    /// <summary>p50, p95, p99, mean, min, max and the count of a latency series, plus every sample.</summary>
    public LatencyStats AddLatencies(string section, string @case, IReadOnlyList<double> samples)
    {
        var stats = LatencyStats.Of(samples);
        Add(section, @case, "count", stats.Count, "");
        Add(section, @case, "p50", stats.P50, "ms");
        Add(section, @case, "p95", stats.P95, "ms");
        Add(section, @case, "p99", stats.P99, "ms");
        Add(section, @case, "mean", stats.Mean, "ms");
        Add(section, @case, "min", stats.Min, "ms");
        Add(section, @case, "max", stats.Max, "ms");
        var text = new StringBuilder();
        foreach (var s in samples)
        {
            text.Append(Csv(section)).Append(',').Append(Csv(@case)).Append(',').Append(s.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        }

        lock (_gate)
        {
            File.AppendAllText(Path.Combine(_dir, SamplesFile), text.ToString());
        }

        return stats;
    }

    public static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

public sealed record LatencyStats(int Count, double P50, double P95, double P99, double Mean, double Min, double Max)
{
    public static LatencyStats Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0)
        {
            return new LatencyStats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = samples.Order().ToArray();
        return new LatencyStats(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99),
            sorted.Average(), sorted[0], sorted[^1]);
    }

    /// <summary>Nearest rank: the smallest sample with at least p of the samples at or below it.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IEnumerable<double> values) => Of(values.ToList()).P50;
}
