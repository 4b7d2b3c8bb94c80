using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Core.Observations;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using EhrShare.Web.Infrastructure;
using EhrShare.Web.Models;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace EhrShare.Web.Controllers;

/// <summary>The doctor's pages: ask for access by address, the patients who answered, their records, emergencies.</summary>
[Authorize(Roles = Roles.Doctor)]
[RequireApproved]
public sealed class DoctorController(DoctorAccessList patients, DeclareEmergency emergencies) : EhrController
{
    [HttpGet]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await DashboardAsync(new RequestAccessModel(), new EmergencyModel(), cancellationToken));

    [HttpPost]
    public async Task<IActionResult> RequestAccess([Bind(Prefix = "Request")] RequestAccessModel model, [FromServices] RequestAccess request, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var address = await request.ExecuteAsync(CurrentUserId, model.PatientAddress, cancellationToken);
                TempData["Success"] = $"Your request went to the patient at {address}. You can read their records once they approve.";
                return RedirectToAction(nameof(Index));
            }
            catch (EhrException e) when (e is not NotFoundException)
            {
                ModelState.AddModelError("Request.PatientAddress", e.Message);
            }
        }

        return View(nameof(Index), await DashboardAsync(model, new EmergencyModel(), cancellationToken));
    }

    [HttpPost]
    public async Task<IActionResult> Emergency([Bind(Prefix = "Emergency")] EmergencyModel model, bool confirmed, CancellationToken cancellationToken)
    {
        if (ModelState.IsValid && !confirmed)
        {
            return View("Confirm", await ConfirmEmergencyAsync(model, cancellationToken));
        }

        if (ModelState.IsValid)
        {
            try
            {
                var patient = await emergencies.ExecuteAsync(CurrentUserId, model.PatientAddress, model.Reason, cancellationToken);
                TempData["Success"] = $"Emergency access to the records of {patient.Name} ({patient.Address}) is open. The patient and the administrator are told, with your reason; the administrator will review it.";
                return RedirectToAction(nameof(Patient), new { id = patient.UserId });
            }
            catch (EhrException e) when (e is not NotFoundException)
            {
                ModelState.AddModelError("Emergency." + ((e as ValidationFailedException)?.Field ?? "PatientAddress"), e.Message);
            }
        }

        return View(nameof(Index), await DashboardAsync(new RequestAccessModel(), model, cancellationToken));
    }

    /// <summary>A patient's records. Opening the list is itself an access attempt: decided and logged on the chain.</summary>
    [HttpGet("/Doctor/Patients/{id}")]
    public async Task<IActionResult> Patient(string id, string? q, string? category, [FromServices] ListRecords list, CancellationToken cancellationToken)
    {
        var filter = RecordListFilter.From(q, category);
        var opened = await list.ForDoctorAsync(CurrentUserId, id, filter.ToFilter(), cancellationToken);
        DoctorAccessWindow? window;
        try
        {
            window = await patients.WindowAsync(CurrentUserId, id, cancellationToken);
        }
        catch (DependencyUnavailableException)
        {
            // The records were allowed and logged; only the expiry line is left out.
            window = null;
        }

        return View(new DoctorPatientModel(opened.Patient, opened.Records, window) { Filter = filter, ChosenOnly = opened.ChosenOnly });
    }

    /// <summary>
    /// A record inside the app's page, with Download. The page is decided by the contract (a refusal is logged); the
    /// content it embeds is the one logged read (see <see cref="ListRecords.OneForDoctorAsync"/>).
    /// </summary>
    [HttpGet("/Doctor/Records/{id:guid}")]
    public async Task<IActionResult> Record(Guid id, [FromServices] ListRecords list, CancellationToken cancellationToken)
    {
        var (record, patientId) = await list.OneForDoctorAsync(CurrentUserId, id, cancellationToken);
        return View("~/Views/Patient/Record.cshtml", new RecordViewerModel(record, $"/Doctor/Records/{id}/View", $"/Doctor/Records/{id}/Download",
            $"/Doctor/Patients/{patientId}", "The patient's records"));
    }

    /// <summary>A patient's heart rate and blood pressure over time, from their Observations: read as the FHIR
    /// Observation search reads them (the list and every record read decided by the contract and logged).</summary>
    [HttpGet("/Doctor/Patients/{id}/Vitals")]
    public async Task<IActionResult> Vitals(string id, [FromServices] ReadObservations observations, CancellationToken cancellationToken)
    {
        var read = await observations.ReadAsync(CurrentUserId, id, cancellationToken);
        return View("VitalSigns", new VitalSignsModel(VitalSigns.From(read.Observations), read.Patient));
    }

    private async Task<ConfirmModel> ConfirmEmergencyAsync(EmergencyModel model, CancellationToken cancellationToken)
    {
        string counted;
        try
        {
            var allowance = await emergencies.AllowanceAsync(CurrentUserId, cancellationToken);
            counted = $"It counts toward your limit: {allowance.Used + 1} of {allowance.Limit} in {EmergencyReview.Describe(allowance.Period)}.";
        }
        catch (DependencyUnavailableException)
        {
            counted = "It counts toward your limit of emergencies per day, enforced by the blockchain contract.";
        }

        return new ConfirmModel(
            "Declare an emergency",
            $"Declare an emergency on the records of {model.PatientAddress.Trim()}?",
            [
                "The patient's records open to you at once, for a short time set by the contract, without their approval.",
                $"The patient sees your name and your reason (\u201c{model.Reason.Trim()}\u201d) at once, and can end the access.",
                "The EHR manager reviews it: one judged abusive is a penalty on your account (enough penalties suspend it).",
                counted,
                "The declaration and every read under it are recorded on the blockchain.",
            ],
            Url.Action(nameof(Emergency))!,
            new Dictionary<string, string> { ["Emergency.PatientAddress"] = model.PatientAddress, ["Emergency.Reason"] = model.Reason },
            "Declare the emergency",
            Url.Action(nameof(Index))!);
    }

    private async Task<DoctorDashboardModel> DashboardAsync(RequestAccessModel request, EmergencyModel emergency, CancellationToken cancellationToken)
    {
        try
        {
            var asked = await patients.PatientsAsync(CurrentUserId, cancellationToken);
            return new DoctorDashboardModel(asked, request, emergency, null, await emergencies.AllowanceAsync(CurrentUserId, cancellationToken));
        }
        catch (DependencyUnavailableException e)
        {
            return new DoctorDashboardModel([], request, emergency, e.Message);
        }
    }
}
