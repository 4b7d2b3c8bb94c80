using EhrShare.Core.Monitoring;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// The admin's monitor: chain blocks, transactions and decoded events, share-node health, IPFS, the outbox and
/// operation latencies. The page renders from <see cref="Snapshot"/> and refreshes itself every few seconds.
/// </summary>
[Authorize(Roles = Roles.Admin)]
public sealed class MonitorController(ISystemMonitor monitor) : Controller
{
    [HttpGet]
    public IActionResult Index() => View();

    [HttpGet]
    [ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
    public async Task<IActionResult> Snapshot(CancellationToken cancellationToken) =>
        Json(await monitor.SnapshotAsync(cancellationToken));
}
