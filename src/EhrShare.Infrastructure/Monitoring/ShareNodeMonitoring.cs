using System.Collections.Concurrent;
using EhrShare.Core.Monitoring;
using EhrShare.Infrastructure.ShareNodes;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.Infrastructure.Monitoring;

/// <summary>
/// The share-node side of the monitor: shares per node (counted on the node, cached briefly so a refreshing page does
/// not count every few seconds), problems seen on the read/write paths and the last scan (from the app database, so
/// every instance shows the same).
/// </summary>
internal sealed class ShareNodeMonitoring(IOptions<ShareNodeOptions> options, ShareNodeReports reports, TimeProvider clock) : IShareNodeStatusSource
{
    private static readonly TimeSpan CountCache = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, (long Count, DateTimeOffset At)> _counts = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IReadOnlyDictionary<string, long>> ShareCountsAsync(CancellationToken cancellationToken)
    {
        var nodes = options.Value.Nodes;
        var now = clock.GetUtcNow();
        await Task.WhenAll(nodes.Select(async (node, i) =>
        {
            var name = node.DisplayName(i);
            if (_counts.TryGetValue(name, out var cached) && now - cached.At < CountCache)
            {
                return;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.NodeTimeout);
                await using var connection = new MySqlConnection(node.ConnectionString);
                await connection.OpenAsync(timeout.Token);
                await using var command = new MySqlCommand("SELECT COUNT(*) FROM shares", connection);
                _counts[name] = (Convert.ToInt64(await command.ExecuteScalarAsync(timeout.Token), System.Globalization.CultureInfo.InvariantCulture), now);
            }
            catch (Exception e) when (e is MySqlException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                _counts.TryRemove(name, out _);
            }
        }));
        return _counts.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.OrdinalIgnoreCase);
    }

    public async Task<IReadOnlyDictionary<string, NodeProblems>> ProblemsAsync(CancellationToken cancellationToken) =>
        (await reports.SnapshotAsync(cancellationToken)).ToDictionary(
            s => s.Node, s => new NodeProblems(s.Total, s.LastProblem?.ToString(), s.LastProblemAt), StringComparer.OrdinalIgnoreCase);

    public async Task<ShareScanStatus?> LastScanAsync(CancellationToken cancellationToken) =>
        await reports.LastScanAsync(cancellationToken) is { } scan
            ? new ShareScanStatus(scan.FinishedAt, scan.Clean, scan.ProblemCount, scan.Summary)
            : null;
}

/// <summary>Scan and repair from the monitor, through the share-node services.</summary>
internal sealed class ShareMaintenance(ShareScan scan, ShareRepair repair) : IShareMaintenance
{
    public async Task<string> ScanAsync(CancellationToken cancellationToken) =>
        "Scan " + ShareReportText.Summary(await scan.RunAsync(cancellationToken)) + ".";

    public async Task<string> RepairAsync(CancellationToken cancellationToken)
    {
        var report = await repair.RunAsync(cancellationToken);
        return report.Complete
            ? $"Repair done: {report.RepairedCount} share(s) rewritten."
            : $"Repair rewrote {report.RepairedCount} share(s); {report.NotRepaired.Count} problem(s) remain: " +
              string.Join("; ", report.NotRepaired.Take(5));
    }
}
