using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Core.Observations;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using EhrShare.Web.Export;
using EhrShare.Web.Infrastructure;
using EhrShare.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Controllers;

/// <summary>The patient's pages: records, who has access, and the full access history.</summary>
[Authorize(Roles = Roles.Patient)]
[RequireApproved]
public sealed class PatientController(RecordParties parties, ListRecords list, IOptions<RecordOptions> recordOptions) : EhrController
{
    /// <summary>My records, narrowed by <c>?q=</c> (words in the title, notes or file name) and <c>?category=</c>.</summary>
    [HttpGet]
    public async Task<IActionResult> Index(string? q, string? category, [FromServices] PatientAccessList access, CancellationToken cancellationToken)
    {
        var filter = RecordListFilter.From(q, category);
        var patient = await parties.PatientAsync(CurrentUserId, cancellationToken);
        var records = await list.ForPatientAsync(CurrentUserId, filter.ToFilter(), cancellationToken);
        var pending = 0;
        try
        {
            pending = (await access.DoctorsAsync(CurrentUserId, cancellationToken)).Count(e => e.Standing == AccessStanding.Requested);
        }
        catch (DependencyUnavailableException)
        {
            // The records list does not need the chain; the badge can wait.
        }

        return View(new PatientDashboardModel(patient.User.DisplayName, patient.Address, records, UploadRules.From(recordOptions.Value), pending)
        {
            Emergencies = Notices(await access.RecentEmergenciesAsync(CurrentUserId, cancellationToken)),
            Filter = filter,
        });
    }

    [HttpPost]
    [IgnoreAntiforgeryToken] // Validated by RecordUpload before the body is read.
    [DisableRequestSizeLimit]
    [DisableFormValueModelBinding]
    public async Task<IActionResult> Upload([FromServices] RecordUpload upload, CancellationToken cancellationToken)
    {
        var result = await upload.ReceiveAsync(HttpContext, CurrentUserId, cancellationToken);
        if (result.Malformed && !UploadWantsJson())
        {
            // Not a form the page sent: an error page that says so, rather than the upload page.
            return ErrorResponses.StatusPage(HttpContext, result.StatusCode, result.Message);
        }

        if (UploadWantsJson())
        {
            if (result.Succeeded)
            {
                TempData["Success"] = result.Message;
            }

            return StatusCode(result.StatusCode, new { ok = result.Succeeded, message = result.Message, redirect = Url.Action(nameof(Index)) });
        }

        TempData[result.Succeeded ? "Success" : "Error"] = result.Message;
        return RedirectToAction(nameof(Index));
    }

    /// <summary>A record shown inside the app's page (a frame, or the image itself), with Download and the way back.</summary>
    [HttpGet("/Patient/Records/{id:guid}")]
    public async Task<IActionResult> Record(Guid id, CancellationToken cancellationToken)
    {
        var record = await list.OneForPatientAsync(CurrentUserId, id, cancellationToken);
        return View(new RecordViewerModel(record, $"/Patient/Records/{id}/View", $"/Patient/Records/{id}/Download", Url.Action(nameof(Index))!, "My records")
        {
            CategoryUrl = $"/Patient/Records/{id}/Category",
        });
    }

    /// <summary>Files the record under another category (the app database only: nothing on the chain changes).</summary>
    [HttpPost("/Patient/Records/{id:guid}/Category")]
    public Task<IActionResult> ChangeCategory(Guid id, string? category, [FromServices] ChangeRecordCategory change, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var chosen = RecordCategories.TryParse(category, out var parsed) ? parsed : throw new ValidationFailedException(RecordCategories.Rule, "Category");
            var title = await change.ExecuteAsync(CurrentUserId, id, chosen, cancellationToken);
            return $"\u201c{title}\u201d is now filed under {RecordCategories.Label(chosen).ToLowerInvariant()}.";
        }, () => Redirect($"/Patient/Records/{id}"));

    /// <summary>The patient's own heart rate and blood pressure over time (each record read logged, as every own read is).</summary>
    [HttpGet("/Patient/Vitals")]
    public async Task<IActionResult> Vitals([FromServices] ReadObservations observations, CancellationToken cancellationToken)
    {
        var read = await observations.ReadAsync(CurrentUserId, CurrentUserId, cancellationToken);
        return View("VitalSigns", new VitalSignsModel(VitalSigns.From(read.Observations), null));
    }

    /// <summary>
    /// Everything the patient has here, as one ZIP: every record decrypted (each read logged as the patient's own, as a
    /// download is) and the access history as CSV and FHIR AuditEvents. The history and the list are gathered first, so a
    /// failure there is a message on My records; a record that cannot be read later is replaced by a note in the ZIP.
    /// </summary>
    [HttpGet("/Patient/Export")]
    public async Task<IActionResult> Export([FromServices] AccessHistory history, [FromServices] ReadRecord read, [FromServices] TimeProvider clock,
        CancellationToken cancellationToken)
    {
        try
        {
            var patient = await parties.PatientAsync(CurrentUserId, cancellationToken);
            var (entries, incomplete, asOf) = await PatientExport.HistoryAsync(history, CurrentUserId, cancellationToken);
            var records = await list.ForPatientAsync(CurrentUserId, cancellationToken);
            return new PatientExportResult(
                new PatientExportContents(CurrentUserId, patient.Address.ToString(), entries, incomplete, asOf, records, clock.GetUtcNow()), read);
        }
        catch (DependencyUnavailableException e)
        {
            TempData["Error"] = $"The export could not start: {e.Message} Nothing was downloaded; try again in a few minutes.";
            return RedirectToAction(nameof(Index));
        }
    }

    [HttpGet("/Patient/Records/{id:guid}/Remove")]
    public async Task<IActionResult> ConfirmRemove(Guid id, CancellationToken cancellationToken)
    {
        var record = await list.OneForPatientAsync(CurrentUserId, id, cancellationToken);
        return View("Remove", new RemoveRecordModel(record));
    }

    [HttpPost("/Patient/Records/{id:guid}/Remove")]
    public Task<IActionResult> Remove(Guid id, [FromServices] RemoveRecord remove, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => await remove.ExecuteAsync(CurrentUserId, id, cancellationToken)
                ? "The record is removed. Its key was destroyed on every share node: nobody can read it again."
                : "The record can no longer be read by anyone. A service was unavailable, so its removal will finish automatically when it is back.",
            () => RedirectToAction(nameof(Index)));

    [HttpGet]
    public async Task<IActionResult> Access([FromServices] PatientAccessList access, CancellationToken cancellationToken)
    {
        var entries = await access.DoctorsAsync(CurrentUserId, cancellationToken);
        return View(new PatientAccessModel(entries, Notices(await access.RecentEmergenciesAsync(CurrentUserId, cancellationToken)))
        {
            Records = await list.ForPatientAsync(CurrentUserId, cancellationToken),
        });
    }

    [HttpPost]
    public Task<IActionResult> Grant(GrantModel model, [FromServices] GrantAccess grant, [FromServices] TimeProvider clock, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var chosen = model.Chosen();
            var expires = clock.GetUtcNow() + Length(model);
            var doctor = await grant.ExecuteAsync(CurrentUserId, model.DoctorId, expires, chosen, cancellationToken);
            return $"Dr {doctor.Name} may read {Formatting.SharedRecords(chosen?.Count)} until {Formatting.When(expires)}.";
        }, () => RedirectToAction(nameof(Access)));

    /// <summary>Changes which records a grant in force covers (a grant on the contract; its expiry kept).</summary>
    [HttpPost]
    public Task<IActionResult> ShareRecords(GrantRecordsModel model, [FromServices] ChangeGrant change, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var changed = await change.RecordsAsync(CurrentUserId, model.DoctorId, model.Chosen(), cancellationToken);
            return $"Dr {changed.Doctor.Name} may now read {Formatting.SharedRecords(changed.Records?.Count)}.";
        }, () => RedirectToAction(nameof(Access)));

    /// <summary>Moves the expiry of a grant in force later by the chosen hours or days (a grant on the contract).</summary>
    [HttpPost]
    public Task<IActionResult> Extend(GrantModel model, [FromServices] ChangeGrant change, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () =>
        {
            var extended = await change.ExtendAsync(CurrentUserId, model.DoctorId, Length(model), cancellationToken);
            return $"Dr {extended.Doctor.Name} may now read your records until {Formatting.When(extended.To)} (was {Formatting.When(extended.From)}).";
        }, () => RedirectToAction(nameof(Access)));

    [HttpPost]
    public async Task<IActionResult> Deny(string doctorId, bool confirmed, [FromServices] PatientAccessList access, [FromServices] RefuseAccess refuse, CancellationToken cancellationToken)
    {
        if (!confirmed)
        {
            var doctor = (await access.DoctorAsync(CurrentUserId, doctorId, cancellationToken)).Doctor;
            return View("Confirm", new ConfirmModel(
                "Decline a request",
                $"Decline Dr {doctor.Name}'s request?",
                [
                    $"Dr {doctor.Name} ({doctor.Specialty}) cannot open your records.",
                    "Your answer is recorded on the blockchain, and the doctor sees the request as declined.",
                    "The doctor may ask again later. To stop their requests reaching you, block them instead.",
                ],
                Url.Action(nameof(Deny))!,
                new Dictionary<string, string> { ["doctorId"] = doctorId },
                "Decline the request",
                Url.Action(nameof(Access))!) { CancelLabel = "Keep it waiting" });
        }

        return await PostRedirectGetAsync(async () => $"You declined Dr {(await refuse.DenyAsync(CurrentUserId, doctorId, cancellationToken)).Name}'s request.",
            () => RedirectToAction(nameof(Access)));
    }

    [HttpPost]
    public async Task<IActionResult> Revoke(string doctorId, bool confirmed, [FromServices] PatientAccessList access, [FromServices] RefuseAccess refuse, CancellationToken cancellationToken)
    {
        if (!confirmed)
        {
            var entry = await access.DoctorAsync(CurrentUserId, doctorId, cancellationToken);
            var name = entry.Doctor.Name;
            List<string> consequences = entry.Standing == AccessStanding.Emergency
                ?
                [
                    $"The emergency access Dr {name} declared ends now: they can no longer open your records.",
                    $"Dr {name} cannot declare another emergency on your records until the EHR manager has reviewed this one.",
                ]
                : [$"Dr {name} can no longer open your records, from now on, before the access would have ended."];
            consequences.Add("The revocation is recorded on the blockchain. Copies the doctor already downloaded stay with them.");
            consequences.Add($"Dr {name} may ask you again; you decide then.");
            return View("Confirm", new ConfirmModel(
                "Revoke access",
                $"Revoke Dr {name}'s access?",
                consequences,
                Url.Action(nameof(Revoke))!,
                new Dictionary<string, string> { ["doctorId"] = doctorId },
                "Revoke access",
                Url.Action(nameof(Access))!) { CancelLabel = "Keep access" });
        }

        return await PostRedirectGetAsync(async () => $"Dr {(await refuse.RevokeAsync(CurrentUserId, doctorId, cancellationToken)).Name} can no longer read your records.",
            () => RedirectToAction(nameof(Access)));
    }

    [HttpPost]
    public Task<IActionResult> Block(string doctorId, [FromServices] RequestModeration moderation, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => $"You blocked Dr {(await moderation.BlockAsync(CurrentUserId, doctorId, cancellationToken)).Name}: their requests no longer reach you.",
            () => RedirectToAction(nameof(Access)));

    [HttpPost]
    public Task<IActionResult> Unblock(string doctorId, [FromServices] RequestModeration moderation, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => $"Dr {(await moderation.UnblockAsync(CurrentUserId, doctorId, cancellationToken)).Name} can ask you for access again.",
            () => RedirectToAction(nameof(Access)));

    [HttpPost]
    public Task<IActionResult> Report(string doctorId, string? comment, [FromServices] RequestModeration moderation, CancellationToken cancellationToken) =>
        PostRedirectGetAsync(async () => $"Your report on Dr {(await moderation.ReportAsync(CurrentUserId, doctorId, comment, cancellationToken)).Name}'s request went to the EHR manager.",
            () => RedirectToAction(nameof(Access)));

    /// <summary>
    /// The access history, filtered by doctor, kind and days (UTC). A filter that does not parse or does not hold (an
    /// end before its start) is named in a message and the unfiltered first page is shown.
    /// </summary>
    [HttpGet]
    public async Task<IActionResult> History(int page, string? doctor, HistoryKind? kind, DateOnly? from, DateOnly? to,
        [FromServices] AccessHistory history, CancellationToken cancellationToken)
    {
        string? problem = null;
        if (!ModelState.IsValid)
        {
            problem = string.Join(" ", ModelState
                .Where(e => e.Value?.Errors.Count > 0)
                .Select(e => e.Key switch
                {
                    nameof(kind) => "Choose all, allowed, denied or emergency.",
                    nameof(from) => "The start date is not a date (YYYY-MM-DD).",
                    nameof(to) => "The end date is not a date (YYYY-MM-DD).",
                    _ => "The page number is not a number.",
                }).Distinct());
        }
        else
        {
            var filter = new HistoryFilter { Doctor = string.IsNullOrWhiteSpace(doctor) ? null : doctor.Trim(), Kind = kind ?? HistoryKind.All, From = from, To = to };
            try
            {
                return View(await history.ForPatientAsync(CurrentUserId, page <= 0 ? 1 : page, filter, cancellationToken));
            }
            catch (ValidationFailedException e)
            {
                problem = e.Message;
            }
        }

        ViewData["FilterError"] = problem;
        return View(await history.ForPatientAsync(CurrentUserId, 1, new HistoryFilter(), cancellationToken));
    }

    private static List<EmergencyNotice> Notices(IReadOnlyList<PatientEmergency> emergencies) =>
        emergencies.Select(e => new EmergencyNotice(e.DoctorName, e.Reason, e.DeclaredAt)).ToList();

    /// <summary>The grant's length from the form; a value that did not bind (text, an unknown unit) gets the same message.</summary>
    private TimeSpan Length(GrantModel model) =>
        ModelState.IsValid ? GrantDuration.From(model.Length.Amount, model.Length.Unit) : throw new ValidationFailedException(GrantDuration.Rule, "Duration");

    private bool UploadWantsJson() =>
        Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);
}
