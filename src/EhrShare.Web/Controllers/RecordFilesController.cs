using EhrShare.Core.Records;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>
/// A record's content, for its patient or a doctor: one action per way of serving it, whoever reads. Whether the
/// reader may, and the logging of the read, are <see cref="ReadRecord"/>'s. The actions are written once here; each
/// side of the app (<c>/Patient/…</c>, <c>/Doctor/…</c>) is a subclass that adds only its path and its role, so a
/// user of the other role is refused by the role check before anything else (as on every page of that side), not
/// sent to the pending page or to the read.
/// </summary>
public abstract class RecordFilesController(ReadRecord read) : EhrController
{
    /// <summary>Inline, for the viewer page's frame (or the image itself).</summary>
    [HttpGet("Records/{id:guid}/View")]
    public async Task<IActionResult> ViewRecord(Guid id, CancellationToken cancellationToken) =>
        new RecordFileResult(await read.OpenAsync(CurrentUserId, id, cancellationToken), inline: true);

    [HttpGet("Records/{id:guid}/Download")]
    public async Task<IActionResult> Download(Guid id, CancellationToken cancellationToken) =>
        new RecordFileResult(await read.OpenAsync(CurrentUserId, id, cancellationToken), inline: false);
}

/// <summary>The patient's own records: <c>/Patient/Records/{id}/View|Download</c>.</summary>
[Route("Patient")]
[Authorize(Roles = Roles.Patient)]
[RequireApproved]
public sealed class PatientRecordFilesController(ReadRecord read) : RecordFilesController(read);

/// <summary>A patient's records as a doctor reads them: <c>/Doctor/Records/{id}/View|Download</c>.</summary>
[Route("Doctor")]
[Authorize(Roles = Roles.Doctor)]
[RequireApproved]
public sealed class DoctorRecordFilesController(ReadRecord read) : RecordFilesController(read);
