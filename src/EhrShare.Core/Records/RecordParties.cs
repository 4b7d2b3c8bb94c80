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
