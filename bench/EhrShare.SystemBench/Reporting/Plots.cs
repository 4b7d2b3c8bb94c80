using ScottPlot;
using ScottPlot.TickGenerators;

namespace EhrShare.SystemBench.Reporting;

/// <summary>The report's PNG plots (ScottPlot 5, rendered headless with Skia; text needs a system font).</summary>
public static class Plots
{
    public const string LatencyBySize = "latency-vs-size.png";
    public const string AccessCdf = "access-latency-cdf.png";
    public const string Throughput = "throughput-vs-concurrency.png";
    public const string BytesPerOperation = "bytes-per-operation.png";

    private const int Width = 900;
    private const int Height = 520;

    public static void LatencyVsSize(string path, IReadOnlyList<string> sizes, IReadOnlyList<(string Name, double[] Ms)> series)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(0, sizes.Count).Select(i => (double)i).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < series.Count; s++)
        {
            var line = plot.Add.Scatter(xs, series[s].Ms.Select(Math.Log10).ToArray());
            line.LegendText = series[s].Name;
            line.Color = palette.GetColor(s);
            line.MarkerSize = 7;
            line.LineWidth = 2;
        }

        plot.Axes.Bottom.TickGenerator = new NumericManual(xs, [.. sizes]);
        LogTicks(plot.Axes.Left, series.SelectMany(s => s.Ms), "ms");
        plot.Axes.Bottom.Label.Text = "record size";
        plot.Axes.Left.Label.Text = "latency (ms, log scale)";
        plot.Title("Upload latency by record size (HTTP, one at a time) and its primitives");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    public static void LatencyCdf(string path, IReadOnlyList<(string Name, IReadOnlyList<double> Ms)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < series.Count; s++)
        {
            var sorted = series[s].Ms.Order().ToArray();
            if (sorted.Length == 0)
            {
                continue;
            }

            var xs = sorted.Select(Math.Log10).ToArray();
            var ys = Enumerable.Range(1, sorted.Length).Select(i => i / (double)sorted.Length).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = series[s].Name;
            line.Color = palette.GetColor(s);
            line.LineWidth = 2;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
        }

        LogTicks(plot.Axes.Bottom, series.SelectMany(s => s.Ms), "ms");
        plot.Axes.Bottom.Label.Text = "latency (ms, log scale)";
        plot.Axes.Left.Label.Text = "fraction of requests";
        plot.Axes.SetLimitsY(0, 1.02);
        plot.Title("Access control: authorised reads vs unauthorised attempts (decision + audit)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    public static void ThroughputVsConcurrency(string path, IReadOnlyList<(string Name, int[] Clients, double[] PerSecond)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var levels = series.SelectMany(s => s.Clients).Distinct().Order().ToArray();
        for (var s = 0; s < series.Count; s++)
        {
            var xs = series[s].Clients.Select(c => (double)Array.IndexOf(levels, c)).ToArray();
            var line = plot.Add.Scatter(xs, series[s].PerSecond);
            line.LegendText = series[s].Name;
            line.Color = palette.GetColor(s);
            line.MarkerSize = 8;
            line.LineWidth = 2;
        }

        plot.Axes.Bottom.TickGenerator = new NumericManual(
            levels.Select((_, i) => (double)i).ToArray(), levels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Bottom.Label.Text = "concurrent clients (closed loop)";
        plot.Axes.Left.Label.Text = "completed requests per second";
        plot.Axes.SetLimitsY(0, series.SelectMany(s => s.PerSecond).DefaultIfEmpty(1).Max() * 1.15);
        plot.Title("Throughput vs concurrency (1 KiB records)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    public static void BytesPerOp(string path, IReadOnlyList<string> operations, IReadOnlyList<(string Path, double[] Bytes)> paths)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / paths.Count;
        for (var p = 0; p < paths.Count; p++)
        {
            var bars = Enumerable.Range(0, operations.Count).Select(o => new Bar
            {
                Position = o - 0.4 + width * (p + 0.5),
                Value = Math.Log10(Math.Max(1, paths[p].Bytes[o])),
                ValueBase = 0,
                Size = width * 0.9,
                FillColor = palette.GetColor(p),
            }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = paths[p].Path;
        }

        plot.Axes.Bottom.TickGenerator = new NumericManual(
            operations.Select((_, i) => (double)i).ToArray(), [.. operations]);
        var ticks = new[] { 0, 1, 2, 3, 4, 5, 6, 7 };
        string[] names = ["1 B", "10 B", "100 B", "1 kB", "10 kB", "100 kB", "1 MB", "10 MB"];
        plot.Axes.Left.TickGenerator = new NumericManual(ticks.Select(t => (double)t).ToArray(), names);
        plot.Axes.SetLimitsY(0, Math.Ceiling(paths.SelectMany(p => p.Bytes).DefaultIfEmpty(1).Select(b => Math.Log10(Math.Max(1, b))).Max()) + 0.3);
        plot.Axes.Left.Label.Text = "bytes both ways (log scale)";
        plot.Title("Network traffic per operation, by path (median of 5)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    private static void LogTicks(IAxis axis, IEnumerable<double> values, string unit)
    {
        var list = values.Where(v => v > 0).ToList();
        var lo = (int)Math.Floor(Math.Log10(list.DefaultIfEmpty(1).Min()));
        var hi = (int)Math.Ceiling(Math.Log10(list.DefaultIfEmpty(10).Max()));
        var positions = new List<double>();
        var labels = new List<string>();
        for (var e = lo; e <= hi; e++)
        {
            foreach (var m in new[] { 1, 2, 5 })
            {
                var v = m * Math.Pow(10, e);
                positions.Add(Math.Log10(v));
                labels.Add(v >= 1 ? $"{v:0.#} {unit}" : $"{v:0.###} {unit}");
            }
        }

        axis.TickGenerator = new NumericManual([.. positions], [.. labels]);
    }
}
