using EhrShare.Core.Common;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>
/// The patient files one of their records under another category. Only the app database changes: the category is not
/// in the block or on the chain, so nothing is re-encrypted or re-anchored.
/// </summary>
public sealed class ChangeRecordCategory(IEhrDbContext db, IRecordDescriptionProtector descriptions)
{
    /// <summary>Returns the record's title, for the message; a record that is not the patient's committed record is not found.</summary>
    public async Task<string> ExecuteAsync(string patientUserId, Guid recordId, RecordCategory category, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(category))
        {
            throw new ValidationFailedException(RecordCategories.Rule, "Category");
        }

        var record = await db.Records.FirstOrDefaultAsync(
                r => r.Id == recordId && r.PatientUserId == patientUserId && r.State == RecordState.Committed, cancellationToken)
            ?? throw new NotFoundException("That record does not exist or was removed.");
        record.Category = category;
        await db.SaveChangesAsync(cancellationToken);
        return descriptions.Unprotect(record.ProtectedDescription).Title;
    }
}
