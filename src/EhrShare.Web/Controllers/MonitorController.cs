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
    [HttpGet]
    public IActionResult Index() => View();

    [HttpGet]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> Snapshot(CancellationToken cancellationToken) =>
        Json(await monitor.SnapshotAsync(cancellationToken));

    [HttpPost]
    public Task<IActionResult> Scan([FromServices] IShareMaintenance shares, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(() => shares.ScanAsync(cancellationToken), () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> Repair([FromServices] IShareMaintenance shares, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(() => shares.RepairAsync(cancellationToken), () => RedirectToAction(nameof(Index)));
}
