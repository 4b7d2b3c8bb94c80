using EhrShare.Core.Users;
using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>A patient's gateway devices: register one (its secret is shown once, on the answer to the form), see when
/// each last got a token, revoke.</summary>
[Authorize(Roles = Roles.Patient)]
[RequireApproved]
[Route("Patient/Devices")]
public sealed class DevicesController(GatewayDevices devices) : EhrController
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(new DevicesModel(await devices.ListAsync(CurrentUserId, cancellationToken), null, null));

    [HttpPost("")]
    public async Task<IActionResult> Register(string? name, CancellationToken cancellationToken)
    {
        try
        {
            var registered = await devices.RegisterAsync(CurrentUserId, name, cancellationToken);
            // Shown in this answer only (not redirected through TempData): the secret is never stored in clear.
            Response.Headers.CacheControl = "no-store";
            return View("Index", new DevicesModel(await devices.ListAsync(CurrentUserId, cancellationToken), registered, null));
        }
        catch (Core.Common.ValidationFailedException e)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View("Index", new DevicesModel(await devices.ListAsync(CurrentUserId, cancellationToken), null, e.Message));
        }
    }

    [HttpPost("{id:guid}/Revoke")]
    public Task<IActionResult> Revoke(Guid id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            await devices.RevokeAsync(CurrentUserId, id, cancellationToken);
            return "The device was revoked: its tokens no longer work.";
        }, () => RedirectToAction(nameof(Index)));
}

public sealed record DevicesModel(IReadOnlyList<DeviceSummary> Devices, RegisteredDevice? Registered, string? Error);
