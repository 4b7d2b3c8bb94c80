using EhrShare.Core.Accounts;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>The admin's list of approved users: suspend, reinstate, lift a doctor's penalties, unlock.</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class UsersController(UserAdministration administration) : EhrController
{
    [HttpGet]
    public async Task<IActionResult> Index(string? q, CancellationToken cancellationToken)
    {
        ViewData["Search"] = q;
        return View(await administration.ListAsync(q, cancellationToken));
    }

    [HttpPost]
    public Task<IActionResult> Suspend(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            await administration.SuspendAsync(id, cancellationToken);
            return "The account is suspended.";
        }, () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> Reinstate(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            await administration.ReinstateAsync(id, cancellationToken);
            return "The account is reinstated (a doctor's penalty count is kept; lift it to clear it).";
        }, () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> SignOutEverywhere(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var ended = await administration.SignOutEverywhereAsync(id, cancellationToken);
            return $"The user is signed out on every device ({ended} session{(ended == 1 ? "" : "s")} ended).";
        }, () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> Unlock(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => await administration.UnlockAsync(id, CurrentUserId, cancellationToken)
            ? "The account is unlocked: its owner can sign in again now."
            : "The account was not locked.", () => RedirectToAction(nameof(Index)));

    [HttpPost]
    public Task<IActionResult> LiftPenalty(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            await administration.LiftPenaltyAsync(id, cancellationToken);
            return "The doctor's penalties are cleared and any suspension lifted.";
        }, () => RedirectToAction(nameof(Index)));
}
