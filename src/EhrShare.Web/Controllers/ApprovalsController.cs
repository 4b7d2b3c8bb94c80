using EhrShare.Core.Access;
using EhrShare.Core.Accounts;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>The admin's queue of registrations waiting for approval.</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class ApprovalsController(ApproveUser approve, RejectUser reject, EmergencyReview emergencies) : EhrController
{
    /// <summary>The manager's landing page: registrations to approve, and emergencies left unreviewed too long.</summary>
    [HttpGet]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        ViewData["OverdueEmergencies"] = await emergencies.OverdueAsync(cancellationToken);
        return View(await approve.ListPendingAsync(cancellationToken));
    }

    [HttpPost]
    public Task<IActionResult> Approve(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var result = await approve.ExecuteAsync(id, cancellationToken);
            return result.Address is { } address
                ? $"Approved {result.Name}: patient address {address}, account {result.Account}."
                : $"Approved {result.Name}: account {result.Account}.";
        }, () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> Reject(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => $"Rejected the registration of {await reject.ExecuteAsync(id, cancellationToken)}.",
            () => RedirectToAction(nameof(Index)));
}
