using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Core.People;
using EhrShare.Core.Records;
using EhrShare.Web.Api;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Hosting;
using EhrShare.Web.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Controllers;

/// <summary>
/// The FHIR R4 API at <c>/fhir/R4</c>, for bearer tokens from the app's OAuth server. Every read goes through the same
/// use cases as the pages: lists and reads are decided by the contract and logged on the chain, and a refusal is a
/// 403 with an OperationOutcome that says why, counted as on the pages. Errors are OperationOutcomes.
/// </summary>
[Route(BasePath)]
[Authorize(AuthenticationSchemes = OAuthModule.ApiScheme)]
[IgnoreAntiforgeryToken]
public sealed partial class FhirController(
    RecordParties parties,
    PeopleDirectory people,
    PatientAccessList patientAccess,
    DoctorAccessList doctorAccess,
    GrantAccess grantAccess,
    RefuseAccess refuseAccess,
    ListRecords listRecords,
    ReadRecord readRecord,
    UploadRecord upload,
    IOptions<RecordOptions> recordOptions,
    TimeProvider clock,
    BearerSubject bearer,
    ILogger<FhirController> logger) : ControllerBase
{
    public const string BasePath = "fhir/R4";

    [HttpGet("metadata")]
    [AllowAnonymous]
    public IActionResult Metadata() => new FhirResult(FhirCapabilities.Statement(BaseUrl));

    [HttpGet("Patient")]
    public Task<IActionResult> SearchPatients() => ReadingAsync(async caller =>
    {
        Refuse(Request.Query.Keys.Except(["_id", "identifier"]));
        var patients = await VisiblePatientsAsync(caller);
        if (Request.Query.TryGetValue("_id", out var ids))
        {
            patients = patients.Where(p => ids.Contains(p.Id, StringComparer.Ordinal)).ToList();
        }

        if (Request.Query.TryGetValue("identifier", out var identifiers))
        {
            var wanted = identifiers.Select(i => i!.StartsWith(FhirMapping.AddressSystem + "|", StringComparison.Ordinal)
                ? i[(FhirMapping.AddressSystem.Length + 1)..] : i).ToHashSet(StringComparer.Ordinal);
            patients = patients.Where(p => p.Identifier.Any(i => i.Value is { } v && wanted.Contains(v))).ToList();
        }

        return Found(patients);
    });

    [HttpGet("Patient/{id}")]
    public Task<IActionResult> ReadPatient(string id) => ReadingAsync(async caller =>
    {
        var patient = (await VisiblePatientsAsync(caller)).FirstOrDefault(p => p.Id == id)
            ?? throw new NotFoundException("No patient with that id that you may see.");
        return new FhirResult(patient);
    });

    [HttpGet("DocumentReference")]
    public Task<IActionResult> SearchDocuments() => ReadingAsync(async caller =>
    {
        Refuse(Request.Query.Keys.Except(["patient", "subject", "date"]));
        var patientId = PatientParameter(caller);
        var dates = DateParameters();
        var documents = await DocumentsAsync(caller, patientId);
        return Found(documents.Where(d => dates.All(s => s.Matches(d.Date!.Value))));
    });

    [HttpGet("DocumentReference/{id}")]
    public Task<IActionResult> ReadDocument(string id) => ReadingAsync(async caller =>
    {
        var patientId = await PatientOfRecordAsync(id);
        var document = (await DocumentsAsync(caller, patientId)).FirstOrDefault(d => d.Id == id)
            ?? throw new NotFoundException("That record does not exist.");
        return new FhirResult(document);
    });

    /// <summary>A record's content, through the pages' read use case. Raw bytes with the record's type, or a FHIR
    /// Binary resource (base64) when FHIR JSON is asked for and the record is small enough to hold.</summary>
    [HttpGet("Binary/{id}")]
    public Task<IActionResult> ReadBinary(string id) => ReadingAsync(async caller =>
    {
        if (!Guid.TryParse(id, out var recordId))
        {
            throw new NotFoundException("That record does not exist.");
        }

        var content = await readRecord.OpenAsync(caller.UserId!, recordId, HttpContext.RequestAborted);
        if (!WantsFhirJson())
        {
            return new RecordFileResult(content, inline: false);
        }

        await using (content.Content)
        {
            if (content.Size > recordOptions.Value.MaxJsonBytes)
            {
                return FhirResult.Outcome(StatusCodes.Status406NotAcceptable, OperationOutcome.IssueType.TooCostly,
                    $"This record is {content.Size} bytes: too large to send as a Binary resource; ask for it without application/fhir+json.");
            }

            using var buffer = new MemoryStream((int)content.Size);
            await content.Content.CopyToAsync(buffer, HttpContext.RequestAborted);
            return new FhirResult(new Binary { Id = id, ContentType = content.ContentType, Data = buffer.ToArray() });
        }
    });

    private string BaseUrl => $"{Request.Scheme}://{Request.Host}{Request.PathBase}/{BasePath}";

    private bool WantsFhirJson() =>
        Request.Headers.Accept.Any(a => a is not null && (a.Contains("fhir+json", StringComparison.OrdinalIgnoreCase)
            || a.Contains("application/json", StringComparison.OrdinalIgnoreCase)));

    private FhirResult Found(IEnumerable<Resource> resources) =>
        new(FhirMapping.SearchSet(BaseUrl, $"{BaseUrl}/{Request.Path.Value![(Request.PathBase.Value?.Length ?? 0)..].Split('/').Last()}{Request.QueryString}", resources));

    /// <summary>The patients the caller may see: a patient, themself; a doctor, those whose records the contract lets
    /// them read now (named, as on the doctor's page).</summary>
    private async Task<List<Patient>> VisiblePatientsAsync(FhirCaller caller)
    {
        if (caller.IsPatient)
        {
            var self = await parties.PatientAsync(caller.UserId!, HttpContext.RequestAborted);
            var summary = new PatientSummary(self.User.Id, self.User.DisplayName, self.Address, self.Account.Address);
            return [FhirMapping.Patient(summary, self.Profile.DateOfBirth)];
        }

        var entries = await doctorAccess.PatientsAsync(caller.UserId!, HttpContext.RequestAborted);
        return entries.Where(e => e.Patient.Name is not null).Select(e => FhirMapping.Patient(e.Patient)).ToList();
    }

    /// <summary>A patient's records as DocumentReferences: for the patient, their own; for a doctor, the list the
    /// pages show, an access attempt decided by the contract and logged (a refusal is a 403 and counts).</summary>
    private async Task<List<DocumentReference>> DocumentsAsync(FhirCaller caller, string patientId)
    {
        IReadOnlyList<RecordSummary> records;
        if (caller.IsPatient)
        {
            if (patientId != caller.UserId)
            {
                throw new ForbiddenException("A patient's token reads only that patient's records.");
            }

            records = await listRecords.ForPatientAsync(patientId, HttpContext.RequestAborted);
        }
        else
        {
            records = (await listRecords.ForDoctorAsync(caller.UserId!, patientId, HttpContext.RequestAborted)).Records;
        }

        return records.Select(r => FhirMapping.Document(r, patientId, r.BlockHash)).ToList();
    }

    private async Task<string> PatientOfRecordAsync(string id)
    {
        if (!Guid.TryParse(id, out var recordId))
        {
            throw new NotFoundException("That record does not exist.");
        }

        return await listRecords.PatientOfAsync(recordId, HttpContext.RequestAborted)
               ?? throw new NotFoundException("That record does not exist.");
    }

    /// <summary><c>patient</c> (or <c>subject</c>) as <c>Patient/{id}</c> or <c>{id}</c>; a patient's own by default.</summary>
    private string PatientParameter(FhirCaller caller)
    {
        var values = Request.Query["patient"].Concat(Request.Query["subject"]).ToList();
        if (values.Count == 0)
        {
            return caller.IsPatient
                ? caller.UserId!
                : throw new ValidationFailedException("Name the patient: patient=Patient/{id} (a doctor's search is about one patient).", "patient");
        }

        var ids = values.Select(v => v!.StartsWith("Patient/", StringComparison.Ordinal) ? v[8..] : v!).Distinct().ToList();
        return ids.Count == 1 && ids[0].Length is > 0 and <= 255
            ? ids[0]
            : throw new ValidationFailedException("Give one patient (patient=Patient/{id}).", "patient");
    }

    private List<DateSearch> DateParameters() =>
        Request.Query["date"].Select(v => DateSearch.TryParse(v ?? "", out var search)
            ? search!
            : throw new ValidationFailedException($"date: '{v}' is not a FHIR date search value (e.g. ge2026-01-01, lt2026-02-01T10:00:00Z).", "date")).ToList();

    private static void Refuse(IEnumerable<string> unsupported)
    {
        var names = unsupported.Where(n => n is not ("_format" or "_pretty")).ToList();
        if (names.Count > 0)
        {
            throw new ValidationFailedException($"Search parameter(s) not supported here: {string.Join(", ", names)} (see the CapabilityStatement at metadata).", names[0]);
        }
    }

    /// <summary>Checks the token allows reading and its user may still use EhrShare, runs the action, and turns the use
    /// cases' typed failures into OperationOutcomes.</summary>
    private async Task<IActionResult> ReadingAsync(Func<FhirCaller, Task<IActionResult>> action)
    {
        var caller = FhirCaller.From(User);
        if (!caller.CanRead)
        {
            return FhirResult.Outcome(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden,
                "This token's scopes do not allow reading (it needs patient/*.rs for a patient, or user/*.rs).");
        }

        return await HandlingAsync(caller, action);
    }

    private async Task<IActionResult> HandlingAsync(FhirCaller caller, Func<FhirCaller, Task<IActionResult>> action)
    {
        try
        {
            // The user's status was read with the token's entry (TokenEntryValidation); asked again only if it was not.
            if (caller.UserId is not null && !await bearer.IsApprovedAsync(caller.UserId, HttpContext.RequestAborted))
            {
                return FhirResult.Outcome(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Suppressed,
                    "This account is not approved (or no longer): EhrShare refuses its tokens.");
            }

            return await action(caller);
        }
        catch (FhirInvalidException e)
        {
            logger.LogInformation("FHIR 400 for {Path}: {Count} issue(s)", Request.Path, e.Issues.Count);
            return new FhirResult(e.ToOutcome(), StatusCodes.Status400BadRequest);
        }
        catch (EhrException e)
        {
            var response = ErrorResponses.For(e);
            logger.LogInformation("FHIR {Status} for {Path}: {Reason}", response.Status, Request.Path, e.Message);
            return e is ValidationFailedException { Field: { } field }
                ? FhirResult.Outcome(response.Status, response.IssueType, e.Message, field)
                : FhirResult.Outcome(response.Status, response.IssueType, e.Message);
        }
    }
}
