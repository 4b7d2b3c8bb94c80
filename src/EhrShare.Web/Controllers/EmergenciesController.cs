using EhrShare.Core.Access;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>The manager's emergency queue: every break-glass access, newest first, to review as justified or abusive.</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class EmergenciesController(EmergencyReview review) : EhrController
{
    [HttpGet]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await review.QueueAsync(cancellationToken));

    [HttpGet("/Emergencies/{id:long}")]
    public async Task<IActionResult> Review(long id, CancellationToken cancellationToken) =>
        View(await review.DetailAsync(id, cancellationToken));

    [HttpPost("/Emergencies/{id:long}/Justified")]
    public Task<IActionResult> Justified(long id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var e = await review.ReviewAsync(CurrentUserId, id, EmergencyVerdict.Justified, cancellationToken);
            return $"The emergency of Dr {e.DoctorName} on {e.PatientAddress} is closed as justified.";
        }, () => RedirectToAction(nameof(Review), new { id }));

    [HttpPost("/Emergencies/{id:long}/Abusive")]
    public Task<IActionResult> Abusive(long id, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var e = await review.ReviewAsync(CurrentUserId, id, EmergencyVerdict.Abusive, cancellationToken);
            return $"The emergency of Dr {e.DoctorName} on {e.PatientAddress} is judged abusive: a penalty was added to the doctor on the blockchain.";
        }, () => RedirectToAction(nameof(Review), new { id }));
}
