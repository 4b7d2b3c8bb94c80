using System.Diagnostics;
using System.Globalization;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Access;

/// <summary>
/// Every read of a patient's data passes here: the contract decides (a view of the latest block, with expiries judged
/// at the time of the read; the patient is allowed by ownership), and the attempt, allowed or not, is written to the
/// access-log outbox before anything is returned, with that time and block: the contract logs it later as decided on
/// them, so the chain records the decision the app acted on. A denial is recorded and returned as an
/// <see cref="AccessRefusal"/> worded for the doctor; the caller refuses the read (reaching the chain as a denial).
/// </summary>
public sealed class AccessGate(
    IEhrDbContext db,
    RecordParties parties,
    IAccessLedger ledger,
    SharedRecords shared,
    IAccessLogSignal signal,
    TimeProvider clock,
    OperationLatencies latencies,
    ILogger<AccessGate> logger)
{
    /// <summary>
    /// Decides and records one attempt; <paramref name="recordId"/> is null for the patient's record list. Returns the
    /// attempt (<see cref="AccessAttempt.Covered"/> narrows a doctor's list) and, for a denial, its refusal.
    /// </summary>
    public async Task<(AccessAttempt Attempt, AccessRefusal? Refusal)> CheckAsync(PatientParty patient, string readerUserId, Guid? recordId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var doctor = readerUserId == patient.User.Id ? null : await parties.DoctorAsync(readerUserId, cancellationToken);
        var attempt = await DecideAsync(patient, readerUserId, doctor, recordId, started, cancellationToken);
        return (attempt, await RecordAsync(attempt));
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
    /// whatever the caller's cancellation says). Returns null for an allowed attempt; for a denial, the refusal worded
    /// from the doctor's standing the decision came with, and what it means for the doctor: how many more refusals lead
    /// to suspension (the contract's threshold and the doctor's count, read while the attempt is written), or why the
    /// doctor is suspended. The caller serves nothing on a refusal (<see cref="AccessRefusal.Throw"/>).
    /// </summary>
    public async Task<AccessRefusal?> RecordAsync(AccessAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        // Read while the attempt is written: the threshold (or a suspended doctor's cause) does not depend on it.
        var threshold = attempt.Allowed || attempt.Doctor is null ? null : ThresholdOrCauseAsync(attempt.Doctor.Account.Address, attempt.DoctorSuspended);
        try
        {
            var entry = await LogAsync(attempt.Patient, attempt.ReaderUserId, attempt.Doctor, attempt.RecordId, attempt.Allowed, attempt.AttemptedAt, attempt.DecidedAtBlock, attempt.Proof);
            if (!attempt.Allowed)
            {
                logger.LogInformation("Access to {RecordId} of a patient denied to doctor {DoctorUserId}", attempt.RecordId, attempt.ReaderUserId);
                return new AccessRefusal(await RefusalAsync(attempt, entry.Id, threshold!));
            }

            return null;
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
        var doctorSuspended = false;
        IReadOnlySet<Guid>? covered = null;
        var proof = Array.Empty<byte>();
        try
        {
            if (isOwner)
            {
                allowed = true;
                block = await OwnerBlockAsync(cancellationToken);
            }
            else
            {
                var kept = await shared.KeptAsync(patient.Account.Address, doctor!.Account.Address, cancellationToken);
                // The set in force at the latest block, as far as the app knows (a change is saved once mined).
                covered = GrantScopeRules.CoveredAt(kept, ulong.MaxValue);
                proof = ledger.RecordProof(recordId, covered);
                var decision = await ledger.DecideAccessAsync(patient.Account.Address, doctor.Account.Address, recordId, proof, now, cancellationToken);
                if (!SameSet(GrantScopeRules.CoveredAt(kept, decision.DecidedAtBlock), covered))
                {
                    // The node answered as of a block before the last change (a node behind the one that mined it): the
                    // proof must come from the set in force at the decision's block, as the chain will judge the log.
                    covered = GrantScopeRules.CoveredAt(kept, decision.DecidedAtBlock);
                    proof = ledger.RecordProof(recordId, covered);
                    decision = await ledger.DecideAccessAsync(patient.Account.Address, doctor.Account.Address, recordId, proof, now, cancellationToken);
                }

                if (decision.OutsideGrant)
                {
                    (decision, covered, proof) = await RetryOutsideGrantAsync(patient, doctor, recordId, now, decision, covered, proof, cancellationToken);
                }

                (allowed, block) = (decision.Allowed, decision.DecidedAtBlock);
                denialReason = allowed || decision.Suspended ? null : DenialReason(decision, now);
                doctorSuspended = !allowed && decision.Suspended;
                if (allowed && recordId is null && covered is not null && await InEmergencyAsync(patient, doctor, now, cancellationToken))
                {
                    covered = null; // An emergency covers every record.
                }
            }
        }
        catch (DependencyUnavailableException)
        {
            // The chain cannot decide now: the attempt is still recorded (with the proof from the set the app knows) and
            // reaches the chain when it is back.
            try
            {
                await LogAsync(patient, readerUserId, isOwner ? null : doctor, recordId, decided: null, now, block: null, proof);
            }
            finally
            {
                latencies.Record("access.decision", Stopwatch.GetElapsedTime(started));
            }

            throw;
        }

        return new AccessAttempt(patient, readerUserId, isOwner ? null : doctor, recordId, allowed, now, block, started)
        {
            DenialReason = denialReason,
            DoctorSuspended = doctorSuspended,
            Covered = covered,
            Proof = proof,
        };
    }

    /// <summary>
    /// A read refused as outside the grant may have been judged by a set the app has not saved yet: the change was mined
    /// after the app read its sets (or between the patient's grant being mined and its set being saved). The contract is
    /// asked again with the proofs of the sets the app knows now (the one in force at the decision's block, read
    /// afresh, and the staged one); it judges each against the root it holds, so only a proof of a set the chain really
    /// named can allow the read. The first allowed decision is kept; otherwise the first refusal stands.
    /// </summary>
    private async Task<(LedgerAccessDecision Decision, IReadOnlySet<Guid>? Covered, byte[] Proof)> RetryOutsideGrantAsync(
        PatientParty patient, DoctorParty doctor, Guid? recordId, DateTimeOffset now,
        LedgerAccessDecision refused, IReadOnlySet<Guid>? tried, byte[] triedProof, CancellationToken cancellationToken)
    {
        var patientAccount = patient.Account.Address;
        var doctorAccount = doctor.Account.Address;
        var candidates = new[]
        {
            GrantScopeRules.CoveredAt(await shared.KeptAsync(patientAccount, doctorAccount, cancellationToken), refused.DecidedAtBlock),
            await shared.StagedAsync(patientAccount, doctorAccount, cancellationToken),
        };
        foreach (var candidate in candidates.Where(c => c is not null && !SameSet(c, tried)))
        {
            var proof = ledger.RecordProof(recordId, candidate);
            var decision = await ledger.DecideAccessAsync(patientAccount, doctorAccount, recordId, proof, now, cancellationToken);
            if (decision.Allowed)
            {
                return (decision, candidate, proof);
            }
        }

        return (refused, tried, triedProof);
    }

    private static bool SameSet(IReadOnlySet<Guid>? a, IReadOnlySet<Guid>? b) => a is null ? b is null : b is not null && a.SetEquals(b);

    /// <summary>
    /// Whether an emergency is in force for the doctor (it covers every record): asked only to list the records of a
    /// grant of chosen ones. If the chain does not answer, the list keeps to the chosen records.
    /// </summary>
    private async Task<bool> InEmergencyAsync(PatientParty patient, DoctorParty doctor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return (await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account.Address, cancellationToken)).EmergencyUntil > now;
        }
        catch (DependencyUnavailableException)
        {
            return false;
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

    private async Task<AccessLogEntry> LogAsync(
        PatientParty patient, string readerUserId, DoctorParty? doctor, Guid? recordId, bool? decided, DateTimeOffset now, ulong? block, byte[] proof)
    {
        var entry = new AccessLogEntry
        {
            RecordId = recordId,
            PatientAccount = patient.Account.Address,
            ActorUserId = readerUserId,
            ActorAccount = doctor?.Account.Address ?? patient.Account.Address,
            Actor = doctor is null ? AccessActor.Owner : AccessActor.Doctor,
            DecidedAllowed = decided,
            DecidedAtBlock = block is { } b ? checked((long)b) : null,
            Proof = proof.Length == 0 ? null : proof,
            AttemptedAt = now,
            NextAttemptAt = now,
        };
        db.AccessLog.Add(entry);

        // Durable before the read goes on, whatever the caller's cancellation says.
        await db.SaveChangesAsync(CancellationToken.None);
        signal.Notify();
        return entry;
    }

    private const string NoAccess = "You have no access to this patient's records.";

    /// <summary>The patient shared chosen records, not this one.</summary>
    public const string OutsideGrant =
        "This record is not among those the patient shared with you. Open the records listed for this patient, or ask the patient to share this one too.";

    private const string AskAgain = "To read them, ask the patient for access again from My patients and wait for their approval.";

    /// <summary>
    /// A refusal in words, from the doctor's standing <c>accessAt</c> returned with the decision (the same block): what
    /// happened and what to do instead. A suspension is worded by <see cref="RecordAsync"/> with its cause.
    /// </summary>
    private static string DenialReason(LedgerAccessDecision decision, DateTimeOffset attemptedAt) => decision.Permission switch
    {
        _ when decision.OutsideGrant => OutsideGrant,
        LedgerPermissionStatus.Granted when decision.ExpiresAt <= attemptedAt =>
            $"Your access to this patient's records expired on {decision.ExpiresAt:yyyy-MM-dd HH:mm} UTC. {AskAgain}",
        LedgerPermissionStatus.Revoked => $"The patient revoked your access to their records. {AskAgain}",
        LedgerPermissionStatus.Denied => $"The patient declined your request for access. {AskAgain}",
        LedgerPermissionStatus.Requested =>
            "Your request for access is waiting for the patient's answer. Open their records once they approve it.",
        _ => $"{NoAccess} Ask the patient for access first, from My patients.",
    };

    /// <summary>The contract's penalty threshold, or a suspended doctor's suspension cause; null when the chain does not
    /// answer (the refusal is then worded without it). Never throws.</summary>
    private async Task<(uint Threshold, LedgerSuspensionCause? Cause)?> ThresholdOrCauseAsync(string doctorAccount, bool suspended)
    {
        try
        {
            return suspended
                ? (0, await ledger.GetSuspensionCauseAsync(doctorAccount, CancellationToken.None))
                : (await ledger.GetPenaltyThresholdAsync(CancellationToken.None), null);
        }
        catch (EhrException)
        {
            return null;
        }
    }

    /// <summary>
    /// The refusal's full text. A suspended doctor's attempt adds no penalty (the contract's rule), so it says why the
    /// account is suspended. Any other refusal is recorded and counts: the count after it is the doctor's penalties on
    /// the chain plus the doctor's refusals still on their way to it, this one included. The others are counted before
    /// the chain is asked, so one mined in between is counted twice, never missed: the doctor is never told there is
    /// more room than there is.
    /// </summary>
    private async Task<string> RefusalAsync(AccessAttempt attempt, long entryId, Task<(uint Threshold, LedgerSuspensionCause? Cause)?> thresholdOrCause)
    {
        var doctorAccount = attempt.Doctor!.Account.Address;
        if (attempt.DoctorSuspended)
        {
            var cause = (await thresholdOrCause)?.Cause;
            var penalties = await PenaltiesAsync(doctorAccount);
            return $"{DoctorSuspension.Headline} {DoctorSuspension.Describe(cause, penalties ?? 0)}";
        }

        var reason = attempt.DenialReason ?? $"{NoAccess} Ask the patient for access first, from My patients.";
        var onTheirWay = await db.AccessLog.AsNoTracking().CountAsync(
            e => e.Id != entryId && e.ActorUserId == attempt.ReaderUserId && e.Actor == AccessActor.Doctor &&
                 e.DecidedAllowed == false && e.State != OutboxState.Confirmed,
            CancellationToken.None);
        var onChain = await PenaltiesAsync(doctorAccount);
        if (await thresholdOrCause is not { Threshold: > 0 } known || onChain is null)
        {
            return $"{reason} This attempt was recorded on the blockchain as refused; repeated refusals suspend your account.";
        }

        var counted = onChain.Value + (uint)onTheirWay + 1;
        var remaining = counted >= known.Threshold ? 0 : known.Threshold - counted;
        var consequence = remaining switch
        {
            0 => string.Create(CultureInfo.InvariantCulture,
                $"This attempt was recorded on the blockchain as refused and brings your refusals to the limit of {known.Threshold}: your account is being suspended until the EHR manager reinstates it."),
            1 => "This attempt was recorded on the blockchain as refused and counts toward suspension: 1 more refused attempt and your account is suspended.",
            _ => string.Create(CultureInfo.InvariantCulture,
                $"This attempt was recorded on the blockchain as refused and counts toward suspension: {remaining} more refused attempts and your account is suspended."),
        };
        return $"{reason} {consequence}";
    }

    private async Task<uint?> PenaltiesAsync(string doctorAccount)
    {
        try
        {
            return (await ledger.GetAccountAsync(doctorAccount, CancellationToken.None)).Penalties;
        }
        catch (EhrException)
        {
            return null;
        }
    }
}

/// <summary>A recorded denial, in the words the doctor is shown.</summary>
public sealed record AccessRefusal(string Message)
{
    /// <summary>Refuses the read the attempt was for: the caller's way out once the refusal is recorded.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Throw() => throw new AccessDeniedException(Message);
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
    /// <summary>Why a doctor is refused, in words (null when allowed, and when suspended: see <see cref="DoctorSuspended"/>).</summary>
    public string? DenialReason { get; init; }

    /// <summary>Refused because the doctor is suspended (no penalty is added for it).</summary>
    public bool DoctorSuspended { get; init; }

    /// <summary>
    /// The records the doctor may see when allowed: the grant's chosen records in force at the decision's block, or null
    /// for every record (a grant of all records, an emergency, the patient's own read).
    /// </summary>
    public IReadOnlySet<Guid>? Covered { get; init; }

    /// <summary>The record's proof under <see cref="Covered"/> the decision was made with, logged with the attempt.</summary>
    public byte[] Proof { get; init; } = [];
}

/// <summary>Wakes the access-log dispatcher right after an attempt is recorded, so it reaches the chain at once.</summary>
public interface IAccessLogSignal
{
    void Notify();
}
