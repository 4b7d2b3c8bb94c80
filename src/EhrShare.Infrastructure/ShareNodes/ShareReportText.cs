using System.Globalization;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>Scan and repair reports as plain text: for the console (<c>shares scan|repair</c>) and the monitor's line.</summary>
public static class ShareReportText
{
    /// <summary>A scan in one line, as the monitor shows it.</summary>
    public static string Summary(ShareScanReport scan) => scan.IsClean
        ? $"clean: {scan.RecordsChecked} record(s) on {scan.Nodes.Count} node(s)"
        : $"{scan.Problems.Count + scan.ProblemsNotListed} problem(s) in {scan.RecordsChecked} record(s): " +
          string.Join("; ", scan.Nodes.Where(n => !n.Reachable || n.Missing + n.Corrupt + n.Orphans + n.Stale > 0)
              .Select(n => n.Reachable
                  ? $"{n.Node} {n.Missing} missing, {n.Corrupt} corrupt, {n.Orphans} orphan(s)" + (n.Stale > 0 ? $", {n.Stale} stale" : "")
                  : $"{n.Node} unreachable"));

    public static void WriteScan(ShareScanReport report, TextWriter output)
    {
        var seconds = (report.FinishedAt - report.StartedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        output.WriteLine($"Share scan at {report.StartedAt:yyyy-MM-dd HH:mm:ss}Z ({seconds} s): {report.RecordsChecked} committed record(s), {report.Nodes.Count} node(s)");
        output.WriteLine();
        var width = Math.Max(4, report.Nodes.Select(n => n.Node.Length).DefaultIfEmpty(4).Max());
        output.WriteLine($"{"node".PadRight(width)}  {"x",3}  {"reachable",-9}  {"shares",8}  {"missing",7}  {"corrupt",7}  {"orphans",7}  {"stale",7}");
        foreach (var node in report.Nodes)
        {
            output.WriteLine(node.Reachable
                ? $"{node.Node.PadRight(width)}  {node.X,3}  {"yes",-9}  {node.ShareCount,8}  {node.Missing,7}  {node.Corrupt,7}  {node.Orphans,7}  {node.Stale,7}"
                : $"{node.Node.PadRight(width)}  {node.X,3}  {"NO",-9}  {"-",8}  {"-",7}  {"-",7}  {"-",7}  {"-",7}  {node.Error}");
        }

        output.WriteLine();
        if (report.IsClean)
        {
            output.WriteLine("Clean: every node answered, every committed record has a good share of its newest generation on every node, no orphans, no stale shares.");
            return;
        }

        if (report.RecordsUnrecoverable > 0)
        {
            output.WriteLine($"{report.RecordsUnrecoverable} record(s) have fewer than k good shares and cannot be rebuilt or repaired.");
        }

        var total = report.Problems.Count + report.ProblemsNotListed;
        output.WriteLine($"{total} problem(s):");
        foreach (var problem in report.Problems)
        {
            output.WriteLine("  " + problem);
        }

        if (report.ProblemsNotListed > 0)
        {
            output.WriteLine($"  ... and {report.ProblemsNotListed} more (the counts above are complete)");
        }
    }

    public static void WriteRepair(ShareRepairReport report, TextWriter output)
    {
        output.WriteLine("Before the repair:");
        WriteScan(report.Scan, output);
        output.WriteLine();
        output.WriteLine(report.RepairedCount == 0 ? "Repaired no shares." : $"Repaired {report.RepairedCount} share(s):");
        foreach (var action in report.Repaired)
        {
            output.WriteLine($"  {action.Node}: record {action.RecordId}: was {action.Was.ToString().ToLowerInvariant()} ({action.Detail}); {(action.Was == ShareProblemKind.Stale ? "deleted" : "rewritten")}");
        }

        if (report.RepairedCount > report.Repaired.Count)
        {
            output.WriteLine($"  ... and {report.RepairedCount - report.Repaired.Count} more");
        }

        if (report.NotRepaired.Count > 0)
        {
            output.WriteLine($"Not repaired ({report.NotRepaired.Count}):");
            foreach (var problem in report.NotRepaired)
            {
                output.WriteLine("  " + problem);
            }
        }

        var orphans = report.Scan.Nodes.Sum(n => n.Orphans);
        if (orphans > 0)
        {
            output.WriteLine($"{orphans} orphan share(s) were left in place: check them, then delete them by hand.");
        }

        output.WriteLine(report.Complete ? "Repair complete." : "Repair incomplete: see above.");
    }
}
