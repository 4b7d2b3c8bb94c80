using EhrShare.Core.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// Checks every committed record's share on every node: present, readable (format and checksum), and in agreement
/// with the block rebuilt from the others and checked against the record's block hash; counts shares per node and
/// lists orphans (reported only, never deleted). Its outcome is kept in the app database for every instance's monitor
/// (<see cref="ShareNodeReports.RecordScanAsync"/>), and the missing and corrupt shares it lists count against their
/// nodes as problems seen.
/// </summary>
public sealed class ShareScan(
    IEhrDbContext db,
    IOptions<ShareNodeOptions> options,
    ShareNodeReports reports,
    TimeProvider clock,
    ILogger<ShareScan> logger)
{
    public async Task<ShareScanReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = await new ShareSweep(db, ShareNode.FromOptions(options.Value), clock).RunAsync(null, cancellationToken);
        await reports.RecordScanAsync(report, cancellationToken);

        // A missing or corrupt share counts against its node like one met on a read: the monitor shows the node amber
        // until a clean scan comes after it (a repair, then a scan).
        foreach (var problem in report.Problems.Where(p => p.Node is not null && p.Kind is ShareProblemKind.Missing or ShareProblemKind.Corrupt))
        {
            reports.Report(problem);
        }

        logger.LogInformation(
            "Share scan: {Records} committed record(s), {Unrecoverable} unrecoverable, {Problems} problem(s)",
            report.RecordsChecked, report.RecordsUnrecoverable, report.Problems.Count + report.ProblemsNotListed);
        return report;
    }
}
