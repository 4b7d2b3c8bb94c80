using EhrShare.Core.Accounts;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using EhrShare.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// The admin's list of patients and doctors, filtered by standing: suspend (after a confirmation), reinstate, lift a
/// doctor's penalties, unlock, sign out everywhere, reopen a rejected registration.
/// </summary>
[Authorize(Roles = Roles.Admin)]
public sealed class UsersController(UserAdministration administration) : EhrController
{
    [HttpGet]
    public async Task<IActionResult> Index(string? q, UserFilter show, CancellationToken cancellationToken) =>
        View(new UsersPageModel(q, show, await administration.ListAsync(q, show, cancellationToken)));

    [HttpPost]
    public async Task<IActionResult> Suspend(string id, bool confirmed, CancellationToken cancellationToken)
    {
        if (!confirmed)
        {
            var user = await administration.GetAsync(id, cancellationToken);
            return View("Confirm", new ConfirmModel(
                "Suspend an account",
                $"Suspend {user.Name}'s account?",
                [
                    $"{user.Name} ({user.Email}) is signed out on every device at once.",
                    user.Role == Roles.Doctor
                        ? "The contract refuses them every read, request and emergency while suspended, and every page they open says so."
                        : "The contract refuses them every upload and every grant while suspended, and every page they open says so.",
                    "The suspension is recorded on the blockchain.",
                    "Reinstate ends it later." + (user.Role == Roles.Doctor ? " A doctor's penalty count is kept by Reinstate; Lift penalty clears it too." : ""),
                ],
                Url.Action(nameof(Suspend), new { id })!,
                new Dictionary<string, string>(),
                "Suspend the account",
                Url.Action(nameof(Index))!));
        }

        return await PostRedirectGetAsync(async () =>
        {
            await administration.SuspendAsync(id, cancellationToken);
            return "The account is suspended.";
        }, () => RedirectToAction(nameof(Index)));
    }

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

    [HttpPost]
    public Task<IActionResult> Reopen(string id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
            $"{await administration.ReopenAsync(id, CurrentUserId, cancellationToken)}'s registration is waiting for approval again (Approvals).",
            () => RedirectToAction(nameof(Index), new { show = UserFilter.Rejected }));
}
