using System.Globalization;
using System.Text;

namespace EhrShare.SystemBench.Faults;

/// <summary>
/// faults.md: per fault, the requests that ended in its window (from the calm spell before it to the end of its
/// recovery), the errors by result, and the longest unavailability a client saw; then the checks.
/// </summary>
public static class FaultReport
{
    public const string FileName = "faults.md";

    public static string Write(string dir, IReadOnlyList<FaultWindow> windows, Load load, IReadOnlyList<Check> checks)
    {
        var outcomes = load.Outcomes.ToList();
        var outages = Outages(outcomes);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Fault bench ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"{FaultBench.Doctors} doctors reading (each a record of 4 patients' 16, its bytes checked) and ")
            .Append(CultureInfo.InvariantCulture, $"{FaultBench.Patients} patients uploading (4–64 KiB) without pause, over {FaultBench.Instances} app instances ")
            .Append("(each client signed in on both, at home on one, turning to the other when a connection fails, as behind a load balancer); ")
            .Append("a failed request is retried after 0.2 s. \"Held\" is from the fault to the end of its recovery step (a restart included). Each fault follows 5 s of calm and is followed by 8 s of recovery; its row counts the ")
            .Append("requests that ended in that window. \"Longest unavailable\" is the longest time a client went without a successful request ")
            .Append("(from the end of one success to the end of the next, starting in the window; a request that hangs counts as one that fails; ")
            .Append("reads / uploads). ")
            .Append(CultureInfo.InvariantCulture, $"Upload lease {FaultBench.UploadLease.TotalSeconds:0} s (the app's default is 30 min), ")
            .AppendLine(CultureInfo.InvariantCulture, $"reconciler every {FaultBench.ReconcileInterval.TotalSeconds:0} s.");
        text.AppendLine();
        text.AppendLine("| fault | held | reads ok / all | uploads ok / all | not 200, by result | longest unavailable (reads / uploads) |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var window in windows)
        {
            var inWindow = outcomes.Where(o => o.End >= window.Start && o.End < window.End).ToList();
            var reads = inWindow.Where(o => o.Kind == RequestKind.Read).ToList();
            var uploads = inWindow.Where(o => o.Kind == RequestKind.Upload).ToList();
            var errors = string.Join(", ", inWindow.Where(o => !o.Ok).GroupBy(o => $"{o.Kind.ToString().ToLowerInvariant()} {o.Result}")
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
            string Longest(RequestKind kind) => outages
                .Where(o => o.Kind == kind && o.Start >= window.Start && o.Start < window.End)
                .Select(o => o.Length)
                .DefaultIfEmpty(TimeSpan.Zero)
                .Max()
                .TotalSeconds
                .ToString("0.0 s", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {window.Name} | {(window.Recovered == window.Injected ? "–" : $"{(window.Recovered - window.Injected).TotalSeconds:0.0} s")} | {reads.Count(o => o.Ok)} / {reads.Count} | " +
                $"{uploads.Count(o => o.Ok)} / {uploads.Count} | {(errors.Length > 0 ? errors : "none")} | {Longest(RequestKind.Read)} / {Longest(RequestKind.Upload)} |");
        }

        text.AppendLine();
        text.AppendLine("## After the faults");
        text.AppendLine();
        text.AppendLine("| check | measured | |");
        text.AppendLine("|---|---|---|");
        foreach (var check in checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {check.Name} | {check.Measured} | {(check.Passed ? "ok" : "**FAILED**")} |");
        }

        var path = Path.Combine(dir, FileName);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// Per client, each span between two successes: from the end of one (or the client's first request) to the end of
    /// the next (or of the load). A request that hangs counts as much as one that fails.
    /// </summary>
    private static List<(RequestKind Kind, TimeSpan Start, TimeSpan Length)> Outages(List<Outcome> outcomes)
    {
        var outages = new List<(RequestKind, TimeSpan, TimeSpan)>();
        var end = outcomes.Count > 0 ? outcomes.Max(o => o.End) : TimeSpan.Zero;
        foreach (var client in outcomes.GroupBy(o => o.Client))
        {
            var ordered = client.OrderBy(o => o.End).ToList();
            var kind = ordered[0].Kind;
            var since = ordered[0].Start;
            foreach (var success in ordered.Where(o => o.Ok))
            {
                outages.Add((kind, since, success.End - since));
                since = success.End;
            }

            if (!ordered[^1].Ok)
            {
                outages.Add((kind, since, end - since));
            }
        }

        return outages;
    }
}
