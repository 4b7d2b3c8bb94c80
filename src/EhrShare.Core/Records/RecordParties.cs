using EhrShare.Core.Common;
using EhrShare.Core.Data;
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
    /// A record's patient and its reader, in one query: the patient as <see cref="FindPatientAsync"/> finds them, and
    /// the reader as <see cref="DoctorAsync"/> does (null when the reader is the patient, or not an approved doctor).
    /// </summary>
    public async Task<(PatientParty? Patient, DoctorParty? Doctor)> FindPatientAndReaderAsync(string patientUserId, string readerUserId, CancellationToken cancellationToken)
    {
        var rows = await (
            from user in db.Users.AsNoTracking()
            where (user.Id == patientUserId || user.Id == readerUserId) && user.Status == UserStatus.Approved
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            join profile in db.Patients.AsNoTracking() on user.Id equals profile.UserId into profiles
            from profile in profiles.DefaultIfEmpty()
            join doctor in db.Doctors.AsNoTracking() on user.Id equals doctor.UserId into doctors
            from doctor in doctors.DefaultIfEmpty()
            select new { user, account, profile, IsDoctor = doctor != null }).ToListAsync(cancellationToken);
        var patient = rows.FirstOrDefault(r => r.user.Id == patientUserId && r.profile is { Pid: not null });
        var reader = readerUserId == patientUserId ? null : rows.FirstOrDefault(r => r.user.Id == readerUserId && r.IsDoctor);
        return (
            patient is null ? null : new PatientParty(patient.user, patient.profile!, patient.account),
            reader is null ? null : new DoctorParty(reader.user, reader.account));
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
