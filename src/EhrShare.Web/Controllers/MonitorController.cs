using EhrShare.Core.Access;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// The admin's monitor: chain blocks, transactions and decoded events, share-node health, IPFS, the outbox and
/// operation latencies. The page renders from <see cref="Snapshot"/> and refreshes itself every few seconds.
/// </summary>
[Authorize(Roles = Roles.Admin)]
public sealed class MonitorController(ISystemMonitor monitor) : EhrController
{
    private const int EmergencyCount = 20;

    [HttpGet]
    public IActionResult Index() => View();

    [HttpGet]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> Snapshot(CancellationToken cancellationToken) =>
        Json(await monitor.SnapshotAsync(cancellationToken));

    /// <summary>The latest emergencies with their reasons, for the monitor's red list (refreshed with the snapshot).</summary>
    [HttpGet]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> Emergencies([FromServices] EmergencyReview review, CancellationToken cancellationToken) =>
        Json((await review.LatestWithReasonsAsync(EmergencyCount, cancellationToken)).Select(x => new
        {
            x.Emergency.DeclaredAt,
            x.Emergency.Until,
            Doctor = x.Emergency.DoctorName,
            Patient = x.Emergency.PatientAddress?.ToString(),
            x.Reason,
            Verdict = x.Emergency.Verdict?.ToString(),
            ReviewUrl = Url.Action("Review", "Emergencies", new { id = x.Emergency.Id }),
        }));

    [HttpPost]
    public Task<IActionResult> Scan([FromServices] IShareMaintenance shares, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(() => shares.ScanAsync(cancellationToken), () => RedirectToAction(nameof(Index)));

    /// <summary>The latest refresh of all records, for the monitor's progress line (refreshed with the snapshot).</summary>
    [HttpGet]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> RefreshStatus([FromServices] ShareRefreshRuns runs, CancellationToken cancellationToken) =>
        Json(await runs.LatestAsync(cancellationToken) is { } run ? new ShareRefreshStatus(run) : null);

    /// <summary>What a refresh of all records does, with the button that starts it (or the running one's progress).</summary>
    [HttpGet]
    public async Task<IActionResult> Refresh([FromServices] ShareRefreshRuns runs, [FromServices] Microsoft.Extensions.Options.IOptions<ShareNodeOptions> options, CancellationToken cancellationToken) =>
        View(new ShareRefreshConfirmation(
            await runs.RunningAsync(cancellationToken) is { } running ? new ShareRefreshStatus(running) : null,
            await runs.CountEligibleAsync(cancellationToken),
            options.Value.Nodes.Count,
            options.Value.Threshold,
            options.Value.Refresh.BatchSize));

    [HttpPost]
    [ActionName(nameof(Refresh))]
    public Task<IActionResult> StartRefresh([FromServices] ShareRefreshRuns runs, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var run = await runs.StartAsync(User.Identity?.Name ?? CurrentUserId, cancellationToken);
            return $"Refresh started: {run.RecordsTotal} record(s) get new shares in the background; its progress is below.";
        }, () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> CancelRefresh([FromServices] ShareRefreshRuns runs, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => await runs.CancelAsync(User.Identity?.Name ?? CurrentUserId, cancellationToken) is { } run
            ? $"Refresh cancelled after {run.RecordsDone} of {run.RecordsTotal} record(s); the others keep their shares."
            : "No refresh was running.", () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> Repair([FromServices] IShareMaintenance shares, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(() => shares.RepairAsync(cancellationToken), () => RedirectToAction(nameof(Index)));
}

/// <summary>A refresh of all records as the monitor shows it.</summary>
public sealed record ShareRefreshStatus(
    long Id,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    string State,
    int RecordsTotal,
    int RecordsDone,
    int RecordsFailed,
    string SkippedNodes,
    string? Outcome)
{
    public ShareRefreshStatus(ShareRefreshRun run)
        : this(run.Id, run.StartedBy, run.StartedAt, run.UpdatedAt, run.FinishedAt, run.State.ToString(), run.RecordsTotal,
            run.RecordsDone, run.RecordsFailed, run.SkippedNodes, run.Outcome)
    {
    }
}

/// <summary>The refresh's confirmation page: the running one, or what starting one would do.</summary>
public sealed record ShareRefreshConfirmation(ShareRefreshStatus? Running, int Records, int Nodes, int Threshold, int BatchSize);
