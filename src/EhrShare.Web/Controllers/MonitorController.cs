using EhrShare.Core.Access;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Users;
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

    [HttpPost]
    public Task<IActionResult> Repair([FromServices] IShareMaintenance shares, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(() => shares.RepairAsync(cancellationToken), () => RedirectToAction(nameof(Index)));
}
