using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Access;

/// <summary>A doctor as a patient sees them.</summary>
public sealed record DoctorSummary(string UserId, string Name, string Specialty, string Account);

/// <summary>A patient as a doctor sees them.</summary>
public sealed record PatientSummary(string UserId, string Name, PatientAddress Address, string Account);

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

public sealed record PatientAccessEntry(DoctorSummary Doctor, AccessStanding Standing, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil);

/// <summary>An emergency on a patient's records, as the patient sees it.</summary>
public sealed record PatientEmergency(string DoctorName, string Reason, DateTimeOffset DeclaredAt, DateTimeOffset Until, EmergencyVerdict? Verdict);

public sealed record DoctorAccessEntry(PatientSummary Patient, AccessStanding Standing, DateTimeOffset? ExpiresAt, DateTimeOffset? RequestedAt, DateTimeOffset? EmergencyUntil);

/// <summary>
/// Requests, grants, denials, revocations and emergencies: each is a transaction on the contract from the user's own
/// account; the lists are read from the contract's events and its current state.
/// </summary>
public sealed class AccessManagement(IEhrDbContext db, RecordParties parties, IAccessLedger ledger, IEmergencyReasonProtector reasons, TimeProvider clock)
{
    public static readonly TimeSpan MaxGrant = TimeSpan.FromDays(366);

    /// <summary>A doctor asks for access by the patient's address, typed as AID-PID.</summary>
    public async Task<PatientSummary> RequestAsync(string doctorUserId, string patientAddress, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await FindPatientByAddressAsync(patientAddress, cancellationToken);
        await ledger.RequestAccessAsync(doctor.Account, patient.Account, cancellationToken);
        return patient;
    }

    public async Task<DoctorSummary> GrantAsync(string patientUserId, string doctorUserId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
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

        var (patient, doctor) = await PairAsync(patientUserId, doctorUserId, cancellationToken);
        await ledger.GrantAccessAsync(patient.Account, doctor.Account, expiresAt, cancellationToken);
        return doctor;
    }

    public async Task<DoctorSummary> DenyAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await PairAsync(patientUserId, doctorUserId, cancellationToken);
        await ledger.DenyAccessAsync(patient.Account, doctor.Account, cancellationToken);
        return doctor;
    }

    public async Task<DoctorSummary> RevokeAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await PairAsync(patientUserId, doctorUserId, cancellationToken);
        await ledger.RevokeAccessAsync(patient.Account, doctor.Account, cancellationToken);
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
        var events = await ledger.GetEventsAsync(new LedgerEventQuery { Patient = patient.Account.Address }, cancellationToken);
        var doctorAccounts = events.Where(e => e.Doctor is not null && e.Doctor != patient.Account.Address)
            .Select(e => e.Doctor!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var doctors = await DoctorsByAccountAsync(doctorAccounts, cancellationToken);
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
                entries.Add(new PatientAccessEntry(doctor, standing, permission.ExpiresAt, permission.RequestedAt, permission.EmergencyUntil));
            }
        }

        return entries.OrderBy(e => e.Standing).ThenBy(e => e.Doctor.Name).ToList();
    }

    /// <summary>Every patient the doctor asked, with where the doctor stands now.</summary>
    public async Task<IReadOnlyList<DoctorAccessEntry>> ForDoctorAsync(string doctorUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var events = await ledger.GetEventsAsync(new LedgerEventQuery { Doctor = doctor.Account.Address }, cancellationToken);
        var patientAccounts = events.Where(e => e.Patient is not null).Select(e => e.Patient!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var patients = await PatientsByAccountAsync(patientAccounts, cancellationToken);
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
                entries.Add(new DoctorAccessEntry(patient, standing, permission.ExpiresAt, permission.RequestedAt, permission.EmergencyUntil));
            }
        }

        return entries.OrderBy(e => e.Standing).ThenBy(e => e.Patient.Name).ToList();
    }

    /// <summary>The patient a doctor may open, by user id (used to show a granted patient's records).</summary>
    public async Task<PatientSummary> PatientAsync(string patientUserId, CancellationToken cancellationToken)
    {
        var patient = await parties.FindPatientAsync(patientUserId, cancellationToken)
            ?? throw new NotFoundException("That patient does not exist.");
        return new PatientSummary(patient.User.Id, patient.User.DisplayName, patient.Address, patient.Account.Address);
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

    private async Task<(PatientParty Patient, DoctorSummary Doctor)> PairAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var patient = await parties.PatientAsync(patientUserId, cancellationToken);
        var doctor = await (
            from user in db.Users.AsNoTracking()
            join profile in db.Doctors.AsNoTracking() on user.Id equals profile.UserId
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            where user.Id == doctorUserId
            select new DoctorSummary(user.Id, user.DisplayName, profile.Specialty, account.Address)).FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("That doctor does not exist.");
        return (patient, doctor);
    }

    private async Task<Dictionary<string, DoctorSummary>> DoctorsByAccountAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken) =>
        (await (
            from account in db.ChainAccounts.AsNoTracking()
            join user in db.Users.AsNoTracking() on account.UserId equals user.Id
            join profile in db.Doctors.AsNoTracking() on user.Id equals profile.UserId
            where accounts.Contains(account.Address)
            select new DoctorSummary(user.Id, user.DisplayName, profile.Specialty, account.Address)).ToListAsync(cancellationToken))
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
