using System.Diagnostics;
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
        var started = Stopwatch.GetTimestamp();
        var doctor = readerUserId == patient.User.Id ? null : await parties.DoctorAsync(readerUserId, cancellationToken);
        var attempt = await DecideAsync(patient, readerUserId, doctor, recordId, started, cancellationToken);
        await RecordAsync(attempt);
    }

    /// <summary>
    /// The first half of <see cref="CheckAsync"/> for a caller that already has the parties: the contract decides (the
    /// owner is allowed), nothing is recorded yet, except when the chain cannot decide (recorded undecided, then
    /// <see cref="DependencyUnavailableException"/>). The caller must pass the attempt to <see cref="RecordAsync"/>, and
    /// serve nothing before that returns. <c>doctor</c> is the reader as an approved doctor; null only when the reader
    /// is the patient.
    /// </summary>
    public Task<AccessAttempt> DecideAsync(PatientParty patient, string readerUserId, DoctorParty? doctor, Guid? recordId, CancellationToken cancellationToken) =>
        DecideAsync(patient, readerUserId, doctor, recordId, Stopwatch.GetTimestamp(), cancellationToken);

    /// <summary>
    /// The second half: the attempt, allowed or not, is written to the access-log outbox (durable when this returns,
    /// whatever the caller's cancellation says); a denial then throws <see cref="AccessDeniedException"/> with the
    /// reason, worded from the doctor's standing the decision came with (no further call to the chain).
    /// </summary>
    public async Task RecordAsync(AccessAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        try
        {
            await LogAsync(attempt.Patient, attempt.ReaderUserId, attempt.Doctor, attempt.RecordId, attempt.Allowed, attempt.AttemptedAt, attempt.DecidedAtBlock);
            if (!attempt.Allowed)
            {
                logger.LogInformation("Access to {RecordId} of a patient denied to doctor {DoctorUserId}", attempt.RecordId, attempt.ReaderUserId);
                throw new AccessDeniedException(attempt.DenialReason ?? NoAccess);
            }
        }
        finally
        {
            latencies.Record("access.decision", Stopwatch.GetElapsedTime(attempt.Started));
        }
    }

    private async Task<AccessAttempt> DecideAsync(PatientParty patient, string readerUserId, DoctorParty? doctor, Guid? recordId, long started, CancellationToken cancellationToken)
    {
        var isOwner = readerUserId == patient.User.Id;
        if (!isOwner && doctor is null)
        {
            throw new ArgumentException("A reader other than the patient must be an approved doctor.", nameof(doctor));
        }

        var now = clock.GetUtcNow();
        bool allowed;
        ulong? block;
        string? denialReason = null;
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
                denialReason = allowed ? null : DenialReason(decision, now);
            }
        }
        catch (DependencyUnavailableException)
        {
            // The chain cannot decide now: the attempt is still recorded and reaches the chain when it is back.
            try
            {
                await LogAsync(patient, readerUserId, isOwner ? null : doctor, recordId, decided: null, now, block: null);
            }
            finally
            {
                latencies.Record("access.decision", Stopwatch.GetElapsedTime(started));
            }

            throw;
        }

        return new AccessAttempt(patient, readerUserId, isOwner ? null : doctor, recordId, allowed, now, block, started) { DenialReason = denialReason };
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

    private const string NoAccess = "You have no access to this patient's records. Ask the patient for access first.";

    /// <summary>A refusal in words, from the doctor's standing <c>accessAt</c> returned with the decision (the same block).</summary>
    private static string DenialReason(LedgerAccessDecision decision, DateTimeOffset attemptedAt)
    {
        if (decision.Suspended)
        {
            return "Your account is suspended after repeated unauthorised attempts. The administrator can reinstate it.";
        }

        return decision.Permission switch
        {
            LedgerPermissionStatus.Granted when decision.ExpiresAt <= attemptedAt =>
                $"Your access to this patient's records expired on {decision.ExpiresAt:yyyy-MM-dd HH:mm} UTC. Ask the patient again.",
            LedgerPermissionStatus.Revoked => "The patient revoked your access to their records.",
            LedgerPermissionStatus.Denied => "The patient declined your request for access.",
            LedgerPermissionStatus.Requested => "Your request for access is waiting for the patient's answer.",
            _ => NoAccess,
        };
    }
}

/// <summary>An attempt the contract has decided, not yet recorded: pass it to <see cref="AccessGate.RecordAsync"/>.</summary>
public sealed record AccessAttempt(
    PatientParty Patient,
    string ReaderUserId,
    DoctorParty? Doctor,
    Guid? RecordId,
    bool Allowed,
    DateTimeOffset AttemptedAt,
    ulong? DecidedAtBlock,
    long Started)
{
    /// <summary>Why a doctor is refused, in words (null when allowed).</summary>
    public string? DenialReason { get; init; }
}

/// <summary>Wakes the access-log dispatcher right after an attempt is recorded, so it reaches the chain at once.</summary>
public interface IAccessLogSignal
{
    void Notify();
}
