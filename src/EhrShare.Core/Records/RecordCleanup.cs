using EhrShare.Core.Chain;
using EhrShare.Core.Data;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Records;

/// <summary>
/// Undoing a failed upload and finishing a removal. Every step is idempotent, so the upload path, the removal path
/// and the reconciler can all call these again after a partial failure or a crash.
/// </summary>
public sealed class RecordCleanup(
    IEhrDbContext db,
    IRecordBlobStore blobs,
    IShareVault vault,
    IAccessLedger ledger,
    TimeProvider clock,
    ILogger<RecordCleanup> logger)
{
    /// <summary>Deletes the shares and unpins the ciphertext of a record that never committed, then forgets it.
    /// Returns false (and leaves the record RollingBack for the reconciler) when a service did not answer.</summary>
    public async Task<bool> RollBackAsync(MedicalRecord record, string reason, CancellationToken cancellationToken)
    {
        try
        {
            record.State = RecordState.RollingBack;
            record.FailureReason = Truncate(reason);
            await db.SaveChangesAsync(cancellationToken);
            await vault.DestroyAsync(record.Id, cancellationToken);
            if (record.PendingCid is { } cid)
            {
                await blobs.RemoveAsync(cid, cancellationToken);
            }

            db.Records.Remove(record);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Rolled back record {RecordId}", record.Id);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            logger.LogWarning("Rollback of record {RecordId} is not finished ({Error}); the reconciler will retry", record.Id, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Finishes removing a record the patient removed: the chain is told (if it still lists the record), the shares
    /// are destroyed on every node (after which the key can never be rebuilt), the ciphertext is unpinned.
    /// Throws when a service did not answer; the record stays Removing (unreadable) and the reconciler retries.
    /// </summary>
    public async Task FinishRemovalAsync(MedicalRecord record, PatientParty patient, CancellationToken cancellationToken)
    {
        if (await ledger.GetRecordHashAsync(patient.Account.Address, record.Id, cancellationToken) is not null)
        {
            await ledger.RemoveRecordAsync(patient.Account, record.Id, cancellationToken);
        }

        await vault.DestroyAsync(record.Id, cancellationToken);
        if (record.PendingCid is { } cid)
        {
            await blobs.RemoveAsync(cid, cancellationToken);
        }

        record.State = RecordState.Removed;
        record.RemovedAt = clock.GetUtcNow();
        record.PendingCid = null;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Record {RecordId} removed: shares destroyed, ciphertext unpinned", record.Id);
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];
}
