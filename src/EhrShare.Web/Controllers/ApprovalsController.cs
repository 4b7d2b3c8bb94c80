using EhrShare.Core.Access;
using EhrShare.Core.Accounts;
using EhrShare.Core.Users;
using EhrShare.Core.Common;
using EhrShare.Web.Infrastructure;
using EhrShare.Web.Models;
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
    public async Task<IActionResult> Reject(string id, bool confirmed, CancellationToken cancellationToken)
    {
        if (!confirmed)
        {
            var registration = (await approve.ListPendingAsync(cancellationToken)).FirstOrDefault(r => r.UserId == id)
                ?? throw new NotFoundException("That registration is not waiting for approval.");
            return View("Confirm", new ConfirmModel(
                "Reject a registration",
                $"Reject {registration.Name}'s registration?",
                [
                    $"{registration.Name} ({registration.Email}, {registration.Role.ToLowerInvariant()}) is not approved: no blockchain account is made, and they cannot use the app.",
                    "When they sign in they are told the registration was rejected.",
                    "You can reopen it later on Users (Rejected): it then waits here again.",
                ],
                Url.Action(nameof(Reject), new { id })!,
                new Dictionary<string, string>(),
                "Reject the registration",
                Url.Action(nameof(Index))!) { CancelLabel = "Keep it waiting" });
        }

        return await PostRedirectGetAsync(async () => $"Rejected the registration of {await reject.ExecuteAsync(id, cancellationToken)}.",
            () => RedirectToAction(nameof(Index)));
    }
}
