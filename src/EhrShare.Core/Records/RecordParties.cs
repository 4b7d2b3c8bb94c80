using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.People;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>An approved patient with the account that signs their transactions.</summary>
public sealed record PatientParty(ApplicationUser User, PatientProfile Profile, ChainAccount Account)
{
    public PatientAddress Address => Profile.Address ?? throw new InvalidOperationException("An approved patient has a PID.");
}

/// <summary>An approved doctor with their account.</summary>
public sealed record DoctorParty(ApplicationUser User, ChainAccount Account);

/// <summary>Looks up who takes part in a record operation; only approved users with an account qualify.</summary>
public sealed class RecordParties(IEhrDbContext db)
{
    public async Task<PatientParty> PatientAsync(string userId, CancellationToken cancellationToken) =>
        await FindPatientAsync(userId, cancellationToken)
        ?? throw new ForbiddenException("Only an approved patient can do this.");

    /// <summary>An approved patient (as <see cref="PatientAsync"/>) and a doctor with their licence and account, for access decisions between them.</summary>
    public async Task<(PatientParty Patient, DoctorSummary Doctor)> PatientAndDoctorAsync(string patientUserId, string doctorUserId, CancellationToken cancellationToken)
    {
        var patient = await PatientAsync(patientUserId, cancellationToken);
        var doctor = await (
            from user in db.Users.AsNoTracking()
            join profile in db.Doctors.AsNoTracking() on user.Id equals profile.UserId
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            where user.Id == doctorUserId
            select new DoctorSummary(user.Id, user.DisplayName, profile.Specialty, account.Address) { LicenceNumber = profile.LicenceNumber })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("That doctor does not exist.");
        return (patient, doctor);
    }

    public async Task<PatientParty?> FindPatientAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await (
            from user in db.Users.AsNoTracking()
            join profile in db.Patients.AsNoTracking() on user.Id equals profile.UserId
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            where user.Id == userId && user.Status == UserStatus.Approved && profile.Pid != null
            select new { user, profile, account }).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new PatientParty(row.user, row.profile, row.account);
    }

    /// <summary>
    /// A record with its patient and its reader, in one query: the record only with its patient, the patient as
    /// <see cref="FindPatientAsync"/> finds them, the reader as <see cref="DoctorAsync"/> does (null when the reader
    /// is the patient, or not an approved doctor). No record when it does not exist or its patient does not qualify.
    /// </summary>
    public async Task<(MedicalRecord? Record, PatientParty? Patient, DoctorParty? Reader)> FindRecordAsync(Guid recordId, string readerUserId, CancellationToken cancellationToken)
    {
        var rows = await (
            from user in db.Users.AsNoTracking()
            where (user.Id == readerUserId || db.Records.Any(r => r.Id == recordId && r.PatientUserId == user.Id)) && user.Status == UserStatus.Approved
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            join profile in db.Patients.AsNoTracking() on user.Id equals profile.UserId into profiles
            from profile in profiles.DefaultIfEmpty()
            join doctor in db.Doctors.AsNoTracking() on user.Id equals doctor.UserId into doctors
            from doctor in doctors.DefaultIfEmpty()
            join record in db.Records.AsNoTracking().Where(r => r.Id == recordId) on user.Id equals record.PatientUserId into records
            from record in records.DefaultIfEmpty()
            select new { user, account, profile, IsDoctor = doctor != null, record }).ToListAsync(cancellationToken);
        var owner = rows.FirstOrDefault(r => r.record is not null && r.profile is { Pid: not null });
        var reader = rows.FirstOrDefault(r => r.user.Id == readerUserId && r.IsDoctor);
        return owner is null
            ? (null, null, null)
            : (owner.record, new PatientParty(owner.user, owner.profile!, owner.account), owner.user.Id == readerUserId || reader is null ? null : new DoctorParty(reader.user, reader.account));
    }

    public async Task<DoctorParty> DoctorAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await (
            from user in db.Users.AsNoTracking()
            join doctor in db.Doctors.AsNoTracking() on user.Id equals doctor.UserId
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            where user.Id == userId && user.Status == UserStatus.Approved
            select new { user, account }).FirstOrDefaultAsync(cancellationToken);
        return row is null
            ? throw new ForbiddenException("Only an approved doctor can do this.")
            : new DoctorParty(row.user, row.account);
    }
}
