using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>
/// A patient removes a record: crypto-shredding. The record becomes unreadable at once (state Removing), then the
/// chain is told, the shares are destroyed on every node and the ciphertext is unpinned. Nobody can read it again.
/// </summary>
public sealed class RemoveRecord(
    IEhrDbContext db,
    RecordParties parties,
    IShareVault vault,
    IAccessLedger ledger,
    RecordCleanup cleanup)
{
    /// <summary>Returns true when everything finished now; false when a service is down and the reconciler will
    /// finish the removal (the record is unreadable either way).</summary>
    public async Task<bool> ExecuteAsync(string patientUserId, Guid recordId, CancellationToken cancellationToken)
    {
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        var record = await db.Records.FirstOrDefaultAsync(
            r => r.Id == recordId && r.PatientUserId == patient.User.Id && r.State == RecordState.Committed, cancellationToken)
            ?? throw new NotFoundException("That record does not exist or was already removed.");

        // The CID is needed to unpin the ciphertext; it lives only in the block, so rebuild it once, now.
        var hash = await ledger.GetRecordHashAsync(patient.Account.Address, record.Id, cancellationToken) ?? record.BlockHash
            ?? throw new NotFoundException("That record does not exist or was already removed.");
        try
        {
            record.PendingCid = await RebuiltCidAsync(record.Id, hash, cancellationToken);
        }
        catch (RecordBlockUnavailableException)
        {
            // Too few good shares are left: the record is unreadable already. Destroy what is left; the ciphertext
            // stays pinned but nobody can open it, and the admin's share scan reports the record.
            record.PendingCid = null;
        }

        record.State = RecordState.Removing;
        await db.SaveChangesAsync(cancellationToken);

        try
        {
            await cleanup.FinishRemovalAsync(record, patient, cancellationToken);
            return true;
        }
        catch (DependencyUnavailableException)
        {
            return false;
        }
        catch (LedgerRejectedException)
        {
            // The chain refused removeRecord (a suspended account may not act), and it is asked first: nothing was
            // destroyed. Put the record back as it was rather than leave it hidden and half removed, with the
            // reconciler retrying against the same refusal; the patient is told why.
            record.State = RecordState.Committed;
            record.PendingCid = null;
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>The CID from the rebuilt block; the block and its key are wiped at once, as on the read path.</summary>
    private async Task<string> RebuiltCidAsync(Guid recordId, byte[] hash, CancellationToken cancellationToken)
    {
        var bytes = await vault.RebuildAsync(recordId, hash, cancellationToken);
        try
        {
            var block = RecordBlock.Parse(bytes);
            CryptographicOperations.ZeroMemory(block.Key);
            return block.Cid;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
