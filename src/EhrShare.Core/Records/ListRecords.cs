using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>What a record list shows: metadata from the app database (never the key or the CID).</summary>
public sealed record RecordSummary(Guid Id, string Title, string? Notes, string FileName, string ContentType, long Size, DateTimeOffset CreatedAt);

/// <summary>A patient's records as a doctor the contract allowed sees them, with who the patient is.</summary>
public sealed record DoctorPatientRecords(Access.PatientSummary Patient, IReadOnlyList<RecordSummary> Records);

/// <summary>A patient's committed records, newest first: for the patient, or for a doctor the contract allows.</summary>
public sealed class ListRecords(IEhrDbContext db, RecordParties parties, AccessGate gate, IRecordDescriptionProtector descriptions)
{
    public async Task<IReadOnlyList<RecordSummary>> ForPatientAsync(string patientUserId, CancellationToken cancellationToken)
    {
        await parties.PatientAsync(patientUserId, cancellationToken);
        return await QueryAsync(patientUserId, cancellationToken);
    }

    /// <summary>
    /// A doctor opens a patient's list: an access attempt like a read, decided and logged. The patient's name comes with
    /// the list, only once the contract allowed it (a refusal says nothing about who the patient is).
    /// </summary>
    public async Task<DoctorPatientRecords> ForDoctorAsync(string doctorUserId, string patientUserId, CancellationToken cancellationToken)
    {
        var patient = await parties.FindPatientAsync(patientUserId, cancellationToken)
            ?? throw new Common.NotFoundException("That patient does not exist.");
        await gate.CheckAsync(patient, doctorUserId, recordId: null, cancellationToken);
        var summary = new Access.PatientSummary(patient.User.Id, patient.User.DisplayName, patient.Address, patient.Account.Address);
        return new DoctorPatientRecords(summary, await QueryAsync(patientUserId, cancellationToken));
    }

    private async Task<IReadOnlyList<RecordSummary>> QueryAsync(string patientUserId, CancellationToken cancellationToken)
    {
        var rows = await db.Records.AsNoTracking()
            .Where(r => r.PatientUserId == patientUserId && r.State == RecordState.Committed)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new { r.Id, r.ProtectedDescription, r.ContentType, r.Size, r.CreatedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r =>
        {
            var d = descriptions.Unprotect(r.ProtectedDescription);
            return new RecordSummary(r.Id, d.Title, d.Notes, d.FileName, r.ContentType, r.Size, r.CreatedAt);
        }).ToList();
    }
}
