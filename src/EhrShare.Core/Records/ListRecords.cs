using EhrShare.Core.Access;
using EhrShare.Core.Data;
using EhrShare.Core.People;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>What a record list shows: metadata from the app database (never the key or the CID).</summary>
public sealed record RecordSummary(Guid Id, string Title, string? Notes, string FileName, string ContentType, long Size, DateTimeOffset CreatedAt,
    RecordCategory Category = RecordCategory.Other)
{
    /// <summary>The hash of the record's block as anchored on the chain (public there already).</summary>
    public byte[]? BlockHash { get; init; }
}

/// <summary>
/// What a list is narrowed to: words in the title, notes or file name, and a category. The words are matched after the
/// descriptions are decrypted (they are encrypted at rest, so SQL cannot see them), over the one patient's records
/// only; the category is matched in SQL first.
/// </summary>
public sealed record RecordFilter(string? Text = null, RecordCategory? Category = null)
{
    public const int MaxTextLength = 100;

    public static RecordFilter None { get; } = new();

    public bool IsEmpty => Words.Count == 0 && Category is null;

    /// <summary>Every word must appear (in any of the three), case-insensitively: "blood 2025" finds "Blood test, March 2025".</summary>
    public IReadOnlyList<string> Words { get; } = (Text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Matches(RecordDescription description) =>
        Words.All(w => description.Title.Contains(w, StringComparison.CurrentCultureIgnoreCase)
            || description.Notes?.Contains(w, StringComparison.CurrentCultureIgnoreCase) == true
            || description.FileName.Contains(w, StringComparison.CurrentCultureIgnoreCase));
}

/// <summary>A patient's records as a doctor the contract allowed sees them, with who the patient is.</summary>
public sealed record DoctorPatientRecords(PatientSummary Patient, IReadOnlyList<RecordSummary> Records)
{
    /// <summary>The patient shared chosen records with the doctor: <see cref="Records"/> holds only those.</summary>
    public bool ChosenOnly { get; init; }
}

/// <summary>A patient's committed records, newest first: for the patient, or for a doctor the contract allows.</summary>
public sealed class ListRecords(IEhrDbContext db, RecordParties parties, AccessGate gate, IRecordDescriptionProtector descriptions)
{
    public Task<IReadOnlyList<RecordSummary>> ForPatientAsync(string patientUserId, CancellationToken cancellationToken) =>
        ForPatientAsync(patientUserId, RecordFilter.None, cancellationToken);

    public async Task<IReadOnlyList<RecordSummary>> ForPatientAsync(string patientUserId, RecordFilter filter, CancellationToken cancellationToken)
    {
        await parties.PatientAsync(patientUserId, cancellationToken);
        return await QueryAsync(patientUserId, filter, only: null, cancellationToken);
    }

    /// <summary>The patient whose committed record this is; null when there is none (the API says not found before deciding).</summary>
    public Task<string?> PatientOfAsync(Guid recordId, CancellationToken cancellationToken) =>
        db.Records.AsNoTracking().Where(r => r.Id == recordId && r.State == RecordState.Committed)
            .Select(r => r.PatientUserId).FirstOrDefaultAsync(cancellationToken);

    /// <summary>One of the patient's own committed records (the patient's pages name it before a view or a removal).</summary>
    public async Task<RecordSummary> OneForPatientAsync(string patientUserId, Guid recordId, CancellationToken cancellationToken)
    {
        await parties.PatientAsync(patientUserId, cancellationToken);
        return (await QueryAsync(patientUserId, RecordFilter.None, new HashSet<Guid> { recordId }, cancellationToken)).SingleOrDefault()
            ?? throw new Common.NotFoundException("That record does not exist or was removed.");
    }

    /// <summary>
    /// A doctor opens a patient's list: an access attempt like a read, decided and logged. The patient's name comes with
    /// the list, only once the contract allowed it (a refusal says nothing about who the patient is).
    /// </summary>
    public Task<DoctorPatientRecords> ForDoctorAsync(string doctorUserId, string patientUserId, CancellationToken cancellationToken) =>
        ForDoctorAsync(doctorUserId, patientUserId, RecordFilter.None, cancellationToken);

    /// <summary>
    /// The same, narrowed: the attempt is logged as the list's, whatever the filter (it narrows what is shown, not what is
    /// allowed). Under a grant of chosen records only those are listed (the list itself is open under any grant; each
    /// record's read is decided by the contract with its proof).
    /// </summary>
    public async Task<DoctorPatientRecords> ForDoctorAsync(string doctorUserId, string patientUserId, RecordFilter filter, CancellationToken cancellationToken)
    {
        var patient = await parties.FindPatientAsync(patientUserId, cancellationToken)
            ?? throw new Common.NotFoundException("That patient does not exist.");
        var (attempt, refusal) = await gate.CheckAsync(patient, doctorUserId, recordId: null, cancellationToken);
        refusal?.Throw();
        var summary = new PatientSummary(patient.User.Id, patient.User.DisplayName, patient.Address, patient.Account.Address);
        return new DoctorPatientRecords(summary, await QueryAsync(patientUserId, filter, attempt.Covered, cancellationToken)) { ChosenOnly = attempt.Covered is not null };
    }

    /// <summary>
    /// One record's description, for the page a doctor views it in. The contract decides as for a read of that record; a
    /// refusal is recorded, then refused, as any refused read is. An allowed decision is not recorded here: the page only
    /// names the record, and the content it embeds (or the download it offers) is the read, decided and logged once, so
    /// one view is one logged access (docs/decisions/record-viewer-one-logged-read.md).
    /// </summary>
    public async Task<(RecordSummary Record, string PatientUserId)> OneForDoctorAsync(string doctorUserId, Guid recordId, CancellationToken cancellationToken)
    {
        var (record, patient, doctor) = await parties.FindRecordAsync(recordId, doctorUserId, cancellationToken);
        if (record is null || patient is null || record.State != RecordState.Committed)
        {
            throw new Common.NotFoundException("That record does not exist or was removed by its patient.");
        }

        if (doctor is null)
        {
            throw new Common.ForbiddenException("Only an approved doctor can do this.");
        }

        var attempt = await gate.DecideAsync(patient, doctorUserId, doctor, record.Id, cancellationToken);
        if (!attempt.Allowed)
        {
            var refused = await gate.RecordAsync(attempt)
                ?? throw new InvalidOperationException("A denied attempt was recorded as allowed.");
            refused.Throw();
        }

        var d = descriptions.Unprotect(record.ProtectedDescription);
        return (new RecordSummary(record.Id, d.Title, d.Notes, d.FileName, record.ContentType, record.Size, record.CreatedAt, record.Category), patient.User.Id);
    }

    private async Task<IReadOnlyList<RecordSummary>> QueryAsync(string patientUserId, RecordFilter filter, IReadOnlySet<Guid>? only, CancellationToken cancellationToken)
    {
        var query = db.Records.AsNoTracking().Where(r => r.PatientUserId == patientUserId && r.State == RecordState.Committed);
        if (only is not null)
        {
            var ids = only.ToList();
            query = query.Where(r => ids.Contains(r.Id));
        }

        if (filter.Category is { } category)
        {
            query = query.Where(r => r.Category == category);
        }

        var rows = await query
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new { r.Id, r.ProtectedDescription, r.ContentType, r.Size, r.CreatedAt, r.Category, r.BlockHash })
            .ToListAsync(cancellationToken);
        var found = new List<RecordSummary>(rows.Count);
        foreach (var r in rows)
        {
            var d = descriptions.Unprotect(r.ProtectedDescription);
            if (filter.Matches(d))
            {
                found.Add(new RecordSummary(r.Id, d.Title, d.Notes, d.FileName, r.ContentType, r.Size, r.CreatedAt, r.Category) { BlockHash = r.BlockHash });
            }
        }

        return found;
    }
}
