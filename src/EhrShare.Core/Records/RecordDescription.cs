using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>
/// What the patient wrote about a record and the file's name: personal health data, kept in the app database only
/// encrypted (<see cref="MedicalRecord.ProtectedDescription"/>) and opened for the lists that show it.
/// </summary>
public sealed record RecordDescription(string Title, string? Notes, string FileName);

/// <summary>Encrypts record descriptions at rest. Implemented with ASP.NET Core Data Protection under a purpose of their own.</summary>
public interface IRecordDescriptionProtector
{
    byte[] Protect(RecordDescription description);

    RecordDescription Unprotect(byte[] protectedDescription);
}

/// <summary>Record titles for pages that name the records they list (history, emergency reviews).</summary>
public static class RecordTitles
{
    public static async Task<Dictionary<Guid, string>> OfPatientAsync(
        IEhrDbContext db, IRecordDescriptionProtector protector, string patientUserId, CancellationToken cancellationToken)
    {
        var rows = await db.Records.AsNoTracking().Where(r => r.PatientUserId == patientUserId)
            .Select(r => new { r.Id, r.ProtectedDescription })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => protector.Unprotect(r.ProtectedDescription).Title);
    }
}
