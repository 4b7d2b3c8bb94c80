using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Monitoring;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Records;

/// <summary>
/// Every read of a patient's data passes here: the contract decides (a view of the latest block, with expiries judged
/// at the time of the read; the patient is allowed by ownership), and the attempt, allowed or not, is written to the
/// access-log outbox before anything is returned, with that time and block: the contract logs it later as decided on
/// them, so the chain records the decision the app acted on. A denial throws <see cref="AccessDeniedException"/> with
/// the reason, and reaches the chain as a denial.
/// </summary>
public sealed class AccessGate(
    IEhrDbContext db,
    RecordParties parties,
    IAccessLedger ledger,
    IAccessLogSignal signal,
    TimeProvider clock,
    OperationLatencies latencies,
    ILogger<AccessGate> logger)
{
    /// <summary>Decides and records one attempt; <paramref name="recordId"/> is null for the patient's record list.</summary>
    public async Task CheckAsync(PatientParty patient, string readerUserId, Guid? recordId, CancellationToken cancellationToken)
    {
        using var measure = latencies.Measure("access.decision");
        var isOwner = readerUserId == patient.User.Id;
        var doctor = isOwner ? null : await parties.DoctorAsync(readerUserId, cancellationToken);
        var now = clock.GetUtcNow();
        bool allowed;
        ulong? block;
        try
        {
            if (isOwner)
            {
                allowed = true;
                block = await OwnerBlockAsync(cancellationToken);
            }
            else
            {
                var decision = await ledger.DecideAccessAsync(patient.Account.Address, doctor!.Account.Address, now, cancellationToken);
                (allowed, block) = (decision.Allowed, decision.DecidedAtBlock);
            }
        }
        catch (DependencyUnavailableException)
        {
            // The chain cannot decide now: the attempt is still recorded and reaches the chain when it is back.
            await LogAsync(patient, readerUserId, doctor, recordId, decided: null, now, block: null);
            throw;
        }

        await LogAsync(patient, readerUserId, doctor, recordId, allowed, now, block);
        if (!allowed)
        {
            logger.LogInformation("Access to {RecordId} of a patient denied to doctor {DoctorUserId}", recordId, readerUserId);
            throw new AccessDeniedException(await DenialReasonAsync(patient, doctor!, cancellationToken));
        }
    }

    /// <summary>
    /// The block a patient's own read is served on (the record is checked on the chain as of it); null when the chain
    /// cannot be asked: the read goes on (it needs no permission) and is logged as of the block it is mined in.
    /// </summary>
    private async Task<ulong?> OwnerBlockAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ledger.GetBlockNumberAsync(cancellationToken);
        }
        catch (DependencyUnavailableException)
        {
            return null;
        }
    }

    private async Task LogAsync(PatientParty patient, string readerUserId, DoctorParty? doctor, Guid? recordId, bool? decided, DateTimeOffset now, ulong? block)
    {
        db.AccessLog.Add(new AccessLogEntry
        {
            RecordId = recordId,
            PatientAccount = patient.Account.Address,
            ActorUserId = readerUserId,
            ActorAccount = doctor?.Account.Address ?? patient.Account.Address,
            Actor = doctor is null ? AccessActor.Owner : AccessActor.Doctor,
            DecidedAllowed = decided,
            DecidedAtBlock = block is { } b ? checked((long)b) : null,
            AttemptedAt = now,
            NextAttemptAt = now,
        });

        // Durable before the read goes on, whatever the caller's cancellation says.
        await db.SaveChangesAsync(CancellationToken.None);
        signal.Notify();
    }

    private async Task<string> DenialReasonAsync(PatientParty patient, DoctorParty doctor, CancellationToken cancellationToken)
    {
        var account = ledger.GetAccountAsync(doctor.Account.Address, cancellationToken);
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account.Address, cancellationToken);
        if ((await account).Suspended)
        {
            return "Your account is suspended after repeated unauthorised attempts. The administrator can reinstate it.";
        }

        return permission.Status switch
        {
            LedgerPermissionStatus.Granted when permission.ExpiresAt <= clock.GetUtcNow() =>
                $"Your access to this patient's records expired on {permission.ExpiresAt:yyyy-MM-dd HH:mm} UTC. Ask the patient again.",
            LedgerPermissionStatus.Revoked => "The patient revoked your access to their records.",
            LedgerPermissionStatus.Denied => "The patient declined your request for access.",
            LedgerPermissionStatus.Requested => "Your request for access is waiting for the patient's answer.",
            _ => "You have no access to this patient's records. Ask the patient for access first.",
        };
    }
}

/// <summary>Wakes the access-log dispatcher right after an attempt is recorded, so it reaches the chain at once.</summary>
public interface IAccessLogSignal
{
    void Notify();
}
