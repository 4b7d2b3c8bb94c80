using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Chain.Index;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Access;

/// <summary>A doctor as a patient sees them: who is asking, with the licence number the manager approved.</summary>
public sealed record DoctorSummary(string UserId, string Name, string Specialty, string Account)
{
    public string LicenceNumber { get; init; } = "";
}

/// <summary>
/// A patient as a doctor sees them. <see cref="Name"/> is null unless the doctor may read the patient's records now
/// (granted and not expired, or an emergency): a doctor learns a name from the patient's grant, never by asking an
/// address (docs/decisions/names-hidden-until-granted.md).
/// </summary>
public sealed record PatientSummary(string UserId, string? Name, PatientAddress Address, string Account);

/// <summary>Where a doctor stands with a patient, as the chain says now.</summary>
public enum AccessStanding
{
    Requested,
    Granted,
    Expired,
    Denied,
    Revoked,
    Emergency,
}

public sealed record PatientAccessEntry(DoctorSummary Doctor, AccessStanding Standing, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil)
{
    /// <summary>The patient blocked this doctor: no further request from them reaches the patient.</summary>
    public bool Blocked { get; init; }

    /// <summary>The patient reported this doctor's request to the EHR manager.</summary>
    public bool Reported { get; init; }

    /// <summary>The records a grant covers when the patient chose some (the app's copy of the set in force); null: every record.</summary>
    public IReadOnlySet<Guid>? SharedRecords { get; init; }
}

/// <summary>An emergency on a patient's records, as the patient sees it.</summary>
public sealed record PatientEmergency(string DoctorName, string Reason, DateTimeOffset DeclaredAt, DateTimeOffset Until, EmergencyVerdict? Verdict);

public sealed record DoctorAccessEntry(PatientSummary Patient, AccessStanding Standing, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil)
{
    /// <summary>The patient declined the doctor's last request: the doctor may ask again only after this time (null: now).</summary>
    public DateTimeOffset? AskAgainAfter { get; init; }
}

/// <summary>A grant's records changed: <see cref="Records"/> the chosen ones, null for every record.</summary>
public sealed record GrantRecordsChange(DoctorSummary Doctor, IReadOnlyCollection<Guid>? Records);

/// <summary>A live grant extended: it ran until <see cref="From"/> and now runs until <see cref="To"/>.</summary>
public sealed record GrantExtension(DoctorSummary Doctor, DateTimeOffset From, DateTimeOffset To);

/// <summary>When a doctor's access to a patient ends, as the chain says now: the grant's expiry and an emergency's end
/// (each null when not in force).</summary>
public sealed record DoctorAccessWindow(DateTimeOffset? GrantEnds, DateTimeOffset? EmergencyEnds);

/// <summary>
/// Requests, grants, denials, revocations and emergencies: each is a transaction on the contract from the user's own
/// account; the lists are read from the contract's events and its current state.
/// </summary>
public sealed class AccessManagement(
    IEhrDbContext db,
    RecordParties parties,
    IAccessLedger ledger,
    ChainEventWindows windows,
    IEmergencyReasonProtector reasons,
    TimeProvider clock,
    IOptions<AccessRequestOptions> requestOptions,
    AccessNotices notices,
    SharedRecords shared)
{
    public static readonly TimeSpan MaxGrant = TimeSpan.FromDays(366);

    /// <summary>
    /// A doctor asks for access by the patient's address, typed as AID-PID. Returns the address only: the doctor learns
    /// the patient's name once granted. Refused, with nothing sent, when the patient blocked the doctor (worded without
    /// the patient's identity) or when the doctor reached a request limit (<see cref="AccessRequestOptions"/>).
    /// </summary>
    public async Task<PatientAddress> RequestAsync(string doctorUserId, string patientAddress, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await FindPatientByAddressAsync(patientAddress, cancellationToken);
        if (await db.DoctorBlocks.AsNoTracking().AnyAsync(b => b.PatientUserId == patient.UserId && b.DoctorUserId == doctor.User.Id, cancellationToken))
        {
            throw new ForbiddenException($"The patient at {patient.Address} does not accept requests from you; nothing was sent. If you are treating this patient, ask them in person.");
        }

        await EnforceCooldownAsync(doctor.User.Id, patient, cancellationToken);

        // The request takes its place before the limits are counted, so two requests at once cannot both pass the last
        // free place (both may be refused; neither is sent). It is removed if refused or if the chain does not take it.
        var now = clock.GetUtcNow();
        var request = new AccessRequest { DoctorUserId = doctor.User.Id, PatientUserId = patient.UserId, RequestedAt = now };
        db.AccessRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            await EnforceRequestLimitsAsync(doctor.User.Id, patient.UserId, now, cancellationToken);
            await ledger.RequestAccessAsync(doctor.Account, patient.Account, cancellationToken);
        }
        catch
        {
            db.AccessRequests.Remove(request);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        await notices.RequestedAsync(patient, doctor);
        return patient.Address;
    }

    /// <summary>A patient who declined the doctor's request is not asked again before the cool-down ends.</summary>
    private async Task EnforceCooldownAsync(string doctorUserId, PatientSummary patient, CancellationToken cancellationToken)
    {
        var cooldown = requestOptions.Value.DeniedRequestCooldown;
        if (cooldown <= TimeSpan.Zero)
        {
            return;
        }

        var since = clock.GetUtcNow() - cooldown;
        var deniedAt = await db.AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctorUserId && r.PatientUserId == patient.UserId && r.Answer == AccessRequestAnswer.Denied && r.AnsweredAt > since)
            .MaxAsync(r => r.AnsweredAt, cancellationToken);
        if (deniedAt is { } at)
        {
            throw new ValidationFailedException(
                $"The patient at {patient.Address} declined your request on {at:yyyy-MM-dd HH:mm} UTC; you can ask them again after {at + cooldown:yyyy-MM-dd HH:mm} UTC. Nothing was sent.",
                "PatientAddress");
        }
    }

    private async Task EnforceRequestLimitsAsync(string doctorUserId, string patientUserId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limits = requestOptions.Value;
        var dayAgo = now.AddDays(-1);
        var today = await db.AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctorUserId && r.RequestedAt > dayAgo)
            .Select(r => r.RequestedAt).ToListAsync(cancellationToken);
        if (today.Count > limits.MaxRequestsPerDay)
        {
            var nextFree = today.OrderBy(t => t).ElementAt(today.Count - 1 - limits.MaxRequestsPerDay).AddDays(1);
            throw new ValidationFailedException(
                $"You have sent {limits.MaxRequestsPerDay} requests in the last 24 hours, the most allowed; nothing was sent. You can ask again after {nextFree:yyyy-MM-dd HH:mm} UTC.",
                "PatientAddress");
        }

        // Open: waiting for an answer and not older than the lifetime; asking the same patient again is one open request.
        var openSince = now - limits.OpenRequestLifetime;
        var open = await db.AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctorUserId && r.AnsweredAt == null && r.RequestedAt > openSince)
            .Select(r => r.PatientUserId).Distinct().CountAsync(cancellationToken);
        if (open > limits.MaxOpenRequests)
        {
            throw new ValidationFailedException(
                $"You have {limits.MaxOpenRequests} requests waiting for patients' answers, the most allowed; nothing was sent. You can ask again once a patient answers one of them.",
                "PatientAddress");
        }
    }

    /// <summary>The patient answered (or blocked): the doctor's requests to them stop counting as open.</summary>
    private async Task CloseRequestsAsync(string patientUserId, string doctorUserId, AccessRequestAnswer answer)
    {
        var now = clock.GetUtcNow();
        await db.AccessRequests
            .Where(r => r.PatientUserId == patientUserId && r.DoctorUserId == doctorUserId && r.AnsweredAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.AnsweredAt, now).SetProperty(r => r.Answer, answer), CancellationToken.None);
    }

    public Task<DoctorSummary> GrantAsync(string patientUserId, string doctorUserId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        GrantAsync(patientUserId, doctorUserId, expiresAt, records: null, cancellationToken);

    /// <summary>
    /// Grants the doctor every record (<paramref name="records"/> null) or the chosen ones until <paramref name="expiresAt"/>.
    /// The choice is checked first (at least one record, each a committed record of the patient's; nothing is sent
    /// otherwise); the set is kept once the grant is mined, from its block, as the contract keeps its root.
    /// </summary>
    public Task<DoctorSummary> GrantAsync(
        string patientUserId, string doctorUserId, DateTimeOffset expiresAt, IReadOnlyCollection<Guid>? records, CancellationToken cancellationToken) =>
        GrantAsync(patientUserId, doctorUserId, expiresAt, records, checkChoice: true, cancellationToken);

    private async Task<DoctorSummary> GrantAsync(
        string patientUserId, string doctorUserId, DateTimeOffset expiresAt, IReadOnlyCollection<Guid>? records, bool checkChoice, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (expiresAt <= now.AddMinutes(1))
        {
            throw new ValidationFailedException("Choose an expiry in the future.", "ExpiresAt");
        }

        if (expiresAt > now + MaxGrant)
        {
            throw new ValidationFailedException("A grant can last at most a year; you can renew it later.", "ExpiresAt");
        }

        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        await GrantOnChainAsync(patient, doctor, expiresAt, records, checkChoice, cancellationToken);
        await CloseRequestsAsync(patient.User.Id, doctor.UserId, AccessRequestAnswer.Granted);
        await notices.AnsweredAsync(NotificationKind.AccessGranted, patient, doctor, expiresAt);
        return doctor;
    }

    /// <summary>
    /// Changes which records the doctor's grant in force covers (<paramref name="records"/> null: every record), its expiry
    /// kept. Refused, with nothing sent, when no grant is in force or the choice does not hold. Reads decided before the
    /// change is mined keep the set they were decided on (the contract keeps the one replaced).
    /// </summary>
    public async Task<GrantRecordsChange> ChangeRecordsAsync(
        string patientUserId, string doctorUserId, IReadOnlyCollection<Guid>? records, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account, cancellationToken);
        if (permission.Status != LedgerPermissionStatus.Granted || permission.ExpiresAt is not { } expires || expires <= clock.GetUtcNow())
        {
            throw new ValidationFailedException($"Dr {doctor.Name} has no access in force to change; nothing was changed.");
        }

        var chosen = await GrantOnChainAsync(patient, doctor, expires, records, checkChoice: true, cancellationToken);
        return new GrantRecordsChange(doctor, chosen);
    }

    /// <summary>
    /// grantAccess (every record) or grantRecords (the checked choice), then the set kept from the block it was mined in.
    /// Returns the records granted (null: every record). <paramref name="checkChoice"/> is false only for the set already in
    /// force (an extension), which may name records removed since: they stay in it, unreadable anyway.
    /// </summary>
    private async Task<IReadOnlyCollection<Guid>?> GrantOnChainAsync(
        PatientParty patient, DoctorSummary doctor, DateTimeOffset expiresAt, IReadOnlyCollection<Guid>? records, bool checkChoice, CancellationToken cancellationToken)
    {
        var chosen = records is null || !checkChoice ? records : await shared.CheckChoiceAsync(patient.User.Id, records, cancellationToken);
        if (chosen is null)
        {
            // Every record: a read judged by the new root needs no proof, so nothing is staged.
            var all = await ledger.GrantAccessAsync(patient.Account, doctor.Account, expiresAt, cancellationToken);
            await shared.SaveAsync(patient.Account.Address, doctor.Account, records: null, all);
            return null;
        }

        await shared.StageAsync(patient.Account.Address, doctor.Account, chosen, cancellationToken);
        ulong block;
        try
        {
            block = await ledger.GrantRecordsAsync(patient.Account, doctor.Account, expiresAt, chosen, cancellationToken);
        }
        catch
        {
            await shared.UnstageAsync(patient.Account.Address, doctor.Account);
            throw;
        }

        await shared.SaveAsync(patient.Account.Address, doctor.Account, chosen, block);
        return chosen;
    }

    /// <summary>
    /// Extends the doctor's grant in force by <paramref name="by"/>: one more grant on the contract, which keeps a live
    /// grant's start (reads made under it stay allowed) and moves its expiry. Refused, with nothing sent, when no grant
    /// is in force (an expired or revoked one is granted anew from a request) or when the new expiry would be more than
    /// <see cref="MaxGrant"/> from now.
    /// </summary>
    public async Task<GrantExtension> ExtendAsync(string patientUserId, string doctorUserId, TimeSpan by, CancellationToken cancellationToken)
    {
        if (by <= TimeSpan.Zero)
        {
            throw new ValidationFailedException(GrantDuration.Rule, "Duration");
        }

        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account, cancellationToken);
        var now = clock.GetUtcNow();
        if (permission.Status != LedgerPermissionStatus.Granted || permission.ExpiresAt is not { } current || current <= now)
        {
            throw new ValidationFailedException($"Dr {doctor.Name} has no access in force to extend; nothing was changed.");
        }

        var expires = current + by;
        if (expires > now + MaxGrant)
        {
            throw new ValidationFailedException(
                $"Extended by {GrantDuration.Describe(by)}, Dr {doctor.Name}'s access would end on {expires:yyyy-MM-dd HH:mm} UTC, more than a year from now; nothing was changed. Choose a shorter extension.",
                "Duration");
        }

        // The extension keeps the records the grant covers (the contract writes nothing for the same set).
        var kept = await shared.KeptAsync(patient.Account.Address, doctor.Account, cancellationToken);
        await GrantAsync(patientUserId, doctorUserId, expires, GrantScopeRules.CoveredAt(kept, ulong.MaxValue), checkChoice: false, cancellationToken);
        return new GrantExtension(doctor, current, expires);
    }

    public async Task<DoctorSummary> DenyAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        await ledger.DenyAccessAsync(patient.Account, doctor.Account, cancellationToken);
        await CloseRequestsAsync(patient.User.Id, doctor.UserId, AccessRequestAnswer.Denied);
        await notices.AnsweredAsync(NotificationKind.AccessDenied, patient, doctor, null);
        return doctor;
    }

    public async Task<DoctorSummary> RevokeAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        await ledger.RevokeAccessAsync(patient.Account, doctor.Account, cancellationToken);
        await CloseRequestsAsync(patient.User.Id, doctor.UserId, AccessRequestAnswer.Revoked);
        await notices.AnsweredAsync(NotificationKind.AccessRevoked, patient, doctor, null);
        return doctor;
    }

    /// <summary>
    /// Break-glass: a short access window for a stated reason, loudly logged for the patient and the manager, limited and
    /// reviewed by the contract's rules. The chain gets only a salted commitment to the reason; the reason and the salt
    /// are kept here, encrypted. A refusal by the contract (logged on the chain) is an <see cref="EmergencyRefusedException"/>.
    /// </summary>
    public async Task<PatientSummary> DeclareEmergencyAsync(string doctorUserId, string patientAddress, string reason, CancellationToken cancellationToken)
    {
        var text = (reason ?? "").Trim();
        if (text.Length is < 10 or > 500)
        {
            throw new ValidationFailedException("Describe the emergency in 10 to 500 characters; the patient and the administrator will read it.", "Reason");
        }

        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await FindPatientByAddressAsync(patientAddress, cancellationToken);
        var salt = RandomNumberGenerator.GetBytes(32);
        var commitment = ledger.CommitToReason(salt, text);
        var protectedReason = reasons.Protect(new EmergencyReason(salt, text));
        var result = await ledger.DeclareEmergencyAsync(doctor.Account, patient.Account, commitment, cancellationToken);
        if (!result.Declared)
        {
            throw new EmergencyRefusedException(result.Refusal == LedgerEmergencyRefusal.TooMany
                ? await TooManyMessageAsync(doctor.Account.Address, cancellationToken)
                : $"You cannot declare another emergency for {patient.Address} yet: the patient ended your last one, and the administrator has not reviewed it. This refusal is recorded on the blockchain.");
        }

        db.Emergencies.Add(new EmergencyDeclaration
        {
            DoctorUserId = doctor.User.Id,
            PatientUserId = patient.UserId,
            ProtectedReason = protectedReason,
            ReasonCommitment = commitment,
            DeclaredAt = clock.GetUtcNow(),
            BlockNumber = (long)result.BlockNumber,
            TransactionHash = result.TransactionHash,
            Until = result.Until ?? clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(CancellationToken.None);
        await notices.EmergencyAsync(patient, doctor, result.Until ?? clock.GetUtcNow());
        return patient;
    }

    /// <summary>How many emergencies the doctor declared in the contract's rolling period, and its limit: told before declaring.</summary>
    public async Task<LedgerEmergencyAllowance> EmergencyAllowanceAsync(string doctorUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        return await ledger.GetEmergencyAllowanceAsync(doctor.Account.Address, cancellationToken);
    }

    /// <summary>The emergencies declared on the patient's records, newest first, with the reasons as the doctors wrote them.</summary>
    public async Task<IReadOnlyList<PatientEmergency>> EmergenciesForPatientAsync(string patientUserId, CancellationToken cancellationToken)
    {
        var rows = await (
            from e in db.Emergencies.AsNoTracking()
            join doctor in db.Users.AsNoTracking() on e.DoctorUserId equals doctor.Id
            where e.PatientUserId == patientUserId
            orderby e.DeclaredAt descending
            select new { doctor.DisplayName, e.ProtectedReason, e.DeclaredAt, e.Until, e.Verdict }).ToListAsync(cancellationToken);
        return rows.Select(r => new PatientEmergency(r.DisplayName, reasons.Unprotect(r.ProtectedReason).Text, r.DeclaredAt, r.Until, r.Verdict)).ToList();
    }

    private async Task<string> TooManyMessageAsync(string doctorAccount, CancellationToken cancellationToken)
    {
        var allowance = await ledger.GetEmergencyAllowanceAsync(doctorAccount, cancellationToken);
        return $"You have already declared {allowance.Limit} emergenc{(allowance.Limit == 1 ? "y" : "ies")} in the last {EmergencyReview.Describe(allowance.Period)}, the most allowed. "
            + "Ask the patient for access instead, or contact the administrator. This refusal is recorded on the blockchain.";
    }

    /// <summary>Every doctor who asked for or had access to the patient, with where they stand now.</summary>
    public async Task<IReadOnlyList<PatientAccessEntry>> ForPatientAsync(string patientUserId, CancellationToken cancellationToken)
    {
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        // Who ever dealt with the patient, from the chain index (and the blocks after it); where each stands, from the contract.
        var me = patient.Account.Address;
        var window = await windows.OpenAsync(new LedgerEventQuery { Patient = me }, cancellationToken);
        var indexed = await db.ChainEvents.AsNoTracking()
            .Where(e => e.Patient == me && e.BlockNumber <= window.IndexedThrough && e.Doctor != null)
            .Select(e => e.Doctor!).Distinct().ToListAsync(cancellationToken);
        var doctorAccounts = indexed.Concat(window.Tail.Select(e => e.Doctor).OfType<string>())
            .Where(d => !string.Equals(d, me, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var doctors = await DoctorsByAccountAsync(doctorAccounts, cancellationToken);
        var blocked = (await db.DoctorBlocks.AsNoTracking().Where(b => b.PatientUserId == patient.User.Id)
            .Select(b => b.DoctorUserId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var reported = (await db.RequestReports.AsNoTracking().Where(r => r.PatientUserId == patient.User.Id)
            .Select(r => r.DoctorUserId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var sets = await shared.InForceForPatientAsync(me, cancellationToken);
        var entries = new List<PatientAccessEntry>();
        foreach (var account in doctorAccounts)
        {
            if (!doctors.TryGetValue(account, out var doctor))
            {
                continue;
            }

            var permission = await ledger.GetPermissionAsync(patient.Account.Address, account, cancellationToken);
            if (Standing(permission) is { } standing)
            {
                entries.Add(new PatientAccessEntry(doctor, standing, permission.ExpiresAt, permission.RequestedAt, permission.EmergencyUntil)
                {
                    Blocked = blocked.Contains(doctor.UserId),
                    Reported = reported.Contains(doctor.UserId),
                    SharedRecords = sets.GetValueOrDefault(account),
                });
            }
        }

        return entries.OrderBy(e => e.Standing).ThenBy(e => e.Doctor.Name).ToList();
    }

    /// <summary>Every patient the doctor asked, with where the doctor stands now.</summary>
    public async Task<IReadOnlyList<DoctorAccessEntry>> ForDoctorAsync(string doctorUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var me = doctor.Account.Address;
        var window = await windows.OpenAsync(new LedgerEventQuery { Doctor = me }, cancellationToken);
        var indexed = await db.ChainEvents.AsNoTracking()
            .Where(e => e.Doctor == me && e.BlockNumber <= window.IndexedThrough && e.Patient != null)
            .Select(e => e.Patient!).Distinct().ToListAsync(cancellationToken);
        var patientAccounts = indexed.Concat(window.Tail.Where(e => e.Patient is not null && string.Equals(e.Doctor, me, StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Patient!))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var patients = await PatientsByAccountAsync(patientAccounts, cancellationToken);
        var cooldown = requestOptions.Value.DeniedRequestCooldown;
        var deniedSince = clock.GetUtcNow() - cooldown;
        var deniedAt = cooldown <= TimeSpan.Zero
            ? []
            : await db.AccessRequests.AsNoTracking()
                .Where(r => r.DoctorUserId == doctor.User.Id && r.Answer == AccessRequestAnswer.Denied && r.AnsweredAt > deniedSince)
                .GroupBy(r => r.PatientUserId)
                .Select(g => new { PatientUserId = g.Key, At = g.Max(r => r.AnsweredAt) })
                .ToDictionaryAsync(g => g.PatientUserId, g => g.At!.Value, StringComparer.Ordinal, cancellationToken);
        var entries = new List<DoctorAccessEntry>();
        foreach (var account in patientAccounts)
        {
            if (!patients.TryGetValue(account, out var patient))
            {
                continue;
            }

            var permission = await ledger.GetPermissionAsync(account, doctor.Account.Address, cancellationToken);
            if (Standing(permission) is { } standing)
            {
                // The name only while the doctor may read the records: never for a request that waits, nor after a
                // denial, a revocation or an expiry.
                var shown = standing is AccessStanding.Granted or AccessStanding.Emergency ? patient : patient with { Name = null };
                entries.Add(new DoctorAccessEntry(shown, standing, permission.ExpiresAt, permission.RequestedAt, permission.EmergencyUntil)
                {
                    AskAgainAfter = standing == AccessStanding.Denied && deniedAt.TryGetValue(patient.UserId, out var at) ? at + cooldown : null,
                });
            }
        }

        return entries.OrderBy(e => e.Standing).ThenBy(e => e.Patient.Address.Aid).ThenBy(e => e.Patient.Address.Pid).ToList();
    }

    /// <summary>When the doctor's access to the patient ends, as the chain says now: shown beside the patient's records.</summary>
    public async Task<DoctorAccessWindow> AccessWindowAsync(string doctorUserId, string patientUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account.Address, cancellationToken);
        var now = clock.GetUtcNow();
        return new DoctorAccessWindow(
            permission.Status == LedgerPermissionStatus.Granted && permission.ExpiresAt > now ? permission.ExpiresAt : null,
            permission.EmergencyUntil > now ? permission.EmergencyUntil : null);
    }

    private AccessStanding? Standing(LedgerPermission permission)
    {
        var now = clock.GetUtcNow();
        if (permission.EmergencyUntil > now)
        {
            return AccessStanding.Emergency;
        }

        return permission.Status switch
        {
            LedgerPermissionStatus.Requested => AccessStanding.Requested,
            LedgerPermissionStatus.Granted => permission.ExpiresAt > now ? AccessStanding.Granted : AccessStanding.Expired,
            LedgerPermissionStatus.Denied => AccessStanding.Denied,
            LedgerPermissionStatus.Revoked => AccessStanding.Revoked,
            _ => null,
        };
    }

    private async Task<PatientSummary> FindPatientByAddressAsync(string text, CancellationToken cancellationToken)
    {
        if (!PatientAddress.TryParse(text, out var address))
        {
            throw new ValidationFailedException($"'{text}' is not a patient address: enter {PatientAddress.FormatHint}.", "PatientAddress");
        }

        var account = await ledger.FindPatientAsync(address, cancellationToken)
            ?? throw new ValidationFailedException($"No patient has the address {address}. Check it with the patient.", "PatientAddress");
        var patients = await PatientsByAccountAsync([account], cancellationToken);
        return patients.TryGetValue(account, out var patient)
            ? patient
            : throw new ValidationFailedException($"No patient has the address {address}. Check it with the patient.", "PatientAddress");
    }

    private async Task<Dictionary<string, DoctorSummary>> DoctorsByAccountAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken) =>
        (await (
            from account in db.ChainAccounts.AsNoTracking()
            join user in db.Users.AsNoTracking() on account.UserId equals user.Id
            join profile in db.Doctors.AsNoTracking() on user.Id equals profile.UserId
            where accounts.Contains(account.Address)
            select new DoctorSummary(user.Id, user.DisplayName, profile.Specialty, account.Address) { LicenceNumber = profile.LicenceNumber }).ToListAsync(cancellationToken))
        .ToDictionary(d => d.Account, StringComparer.OrdinalIgnoreCase);

    private async Task<Dictionary<string, PatientSummary>> PatientsByAccountAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken) =>
        (await (
            from account in db.ChainAccounts.AsNoTracking()
            join user in db.Users.AsNoTracking() on account.UserId equals user.Id
            join profile in db.Patients.AsNoTracking() on user.Id equals profile.UserId
            where accounts.Contains(account.Address) && profile.Pid != null
            select new { user.Id, user.DisplayName, profile.AreaId, profile.Pid, account.Address }).ToListAsync(cancellationToken))
        .ToDictionary(
            p => p.Address,
            p => new PatientSummary(p.Id, p.DisplayName, new PatientAddress((uint)p.AreaId, (uint)p.Pid!.Value), p.Address),
            StringComparer.OrdinalIgnoreCase);
}
