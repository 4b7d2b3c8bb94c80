using EhrShare.Core.Records;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// A record's content, for its patient or a doctor: one action per way of serving it, whoever reads. Whether the
/// reader may, and the logging of the read, are <see cref="ReadRecord"/>'s; the URLs keep the reader's side of the app
/// in their path (the patient's and the doctor's pages link to their own).
/// </summary>
[Authorize(Roles = Roles.Patient + "," + Roles.Doctor)]
[RequireApproved]
public sealed class RecordsController(ReadRecord read) : EhrController
{
    /// <summary>Inline, for the viewer page's frame (or the image itself).</summary>
    [HttpGet("/Patient/Records/{id:guid}/View")]
    [HttpGet("/Doctor/Records/{id:guid}/View")]
    public async Task<IActionResult> ViewRecord(Guid id, CancellationToken cancellationToken) =>
        new RecordFileResult(await read.OpenAsync(CurrentUserId, id, cancellationToken), inline: true);

    [HttpGet("/Patient/Records/{id:guid}/Download")]
    [HttpGet("/Doctor/Records/{id:guid}/Download")]
    public async Task<IActionResult> Download(Guid id, CancellationToken cancellationToken) =>
        new RecordFileResult(await read.OpenAsync(CurrentUserId, id, cancellationToken), inline: false);
}
