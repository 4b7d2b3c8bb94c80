using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Records;

/// <summary>
/// Finishes or rolls back what a crash or an outage left half done: uploads whose lease expired (committed if the
/// chain has their hash, rolled back otherwise), rollbacks and removals that did not finish. Run at start-up and
/// periodically; every step is idempotent.
/// </summary>
public sealed class ReconcileRecords(
    IEhrDbContext db,
    RecordParties parties,
    IAccessLedger ledger,
    RecordCleanup cleanup,
    TimeProvider clock,
    ILogger<ReconcileRecords> logger)
{
    public async Task<ReconcileReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var work = await db.Records
            .Where(r => (r.State == RecordState.Pending && r.LeaseUntil < now)
                        || r.State == RecordState.RollingBack
                        || r.State == RecordState.Removing)
            .OrderBy(r => r.CreatedAt)
            .Take(100)
            .ToListAsync(cancellationToken);
        int committed = 0, rolledBack = 0, removed = 0, left = 0;
        foreach (var record in work)
        {
            try
            {
                switch (record.State)
                {
                    case RecordState.Pending when await IsAnchoredAsync(record, cancellationToken):
                        record.State = RecordState.Committed;
                        record.CommittedAt = clock.GetUtcNow();
                        record.PendingCid = null;
                        await db.SaveChangesAsync(cancellationToken);
                        logger.LogInformation("Reconciler committed record {RecordId}: its hash is on the chain", record.Id);
                        committed++;
                        break;
                    case RecordState.Pending or RecordState.RollingBack:
                        if (await cleanup.RollBackAsync(record, record.FailureReason ?? "interrupted upload", cancellationToken))
                        {
                            rolledBack++;
                        }
                        else
                        {
                            left++;
                        }

                        break;
                    case RecordState.Removing:
                        await cleanup.FinishRemovalAsync(record, await parties.PatientAsync(record.PatientUserId, cancellationToken), cancellationToken);
                        removed++;
                        break;
                }
            }
            catch (Exception e) when (e is EhrException or DbUpdateException)
            {
                logger.LogWarning("Reconciler left record {RecordId} ({State}) for later: {Error}", record.Id, record.State, e.Message);
                left++;
            }
        }

        return new ReconcileReport(committed, rolledBack, removed, left);
    }

    private async Task<bool> IsAnchoredAsync(MedicalRecord record, CancellationToken cancellationToken)
    {
        if (record.BlockHash is null)
        {
            return false;
        }

        var patient = await parties.FindPatientAsync(record.PatientUserId, cancellationToken);
        if (patient is null)
        {
            return false;
        }

        var onChain = await ledger.GetRecordHashAsync(patient.Account.Address, record.Id, cancellationToken);
        return onChain is not null && onChain.AsSpan().SequenceEqual(record.BlockHash);
    }
}

public sealed record ReconcileReport(int Committed, int RolledBack, int Removed, int Left);
