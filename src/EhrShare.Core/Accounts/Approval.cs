using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Accounts;

/// <summary>A registration waiting for the admin.</summary>
public sealed record PendingRegistration(
    string UserId,
    string Name,
    string Email,
    string Role,
    DateTimeOffset RegisteredAt,
    string? AreaName,
    DateOnly? DateOfBirth,
    string? LicenceNumber,
    string? Specialty);

/// <summary>
/// The admin approves a registration: the user gets an Ethereum account (key protected at rest), it is funded from
/// the manager's account and registered on the contract; a patient gets the next PID of their area. Every step is
/// idempotent, so an approval interrupted by an outage can simply be repeated.
/// </summary>
public sealed class ApproveUser(
    IEhrDbContext db,
    IAccountKeys keys,
    IAccessLedger ledger,
    ILogger<ApproveUser> logger)
{
    public async Task<IReadOnlyList<PendingRegistration>> ListPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await db.Users.AsNoTracking()
            .Where(u => u.Status == UserStatus.Pending)
            .OrderBy(u => u.CreatedAt)
            .ToListAsync(cancellationToken);
        var ids = pending.Select(u => u.Id).ToList();
        var patients = await db.Patients.AsNoTracking().Include(p => p.Area).Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, cancellationToken);
        var doctors = await db.Doctors.AsNoTracking().Where(d => ids.Contains(d.UserId)).ToDictionaryAsync(d => d.UserId, cancellationToken);
        return pending
            .Where(u => patients.ContainsKey(u.Id) || doctors.ContainsKey(u.Id))
            .Select(u =>
            {
                patients.TryGetValue(u.Id, out var p);
                doctors.TryGetValue(u.Id, out var d);
                return new PendingRegistration(u.Id, u.DisplayName, u.Email ?? "", p is null ? Roles.Doctor : Roles.Patient,
                    u.CreatedAt, p?.Area?.Name, p?.DateOfBirth, d?.LicenceNumber, d?.Specialty);
            })
            .ToList();
    }

    public async Task<ApprovalResult> ExecuteAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("That user does not exist.");
        if (user.Status != UserStatus.Pending)
        {
            throw new ValidationFailedException($"{user.DisplayName} is not waiting for approval.");
        }

        var patient = await db.Patients.FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        var isDoctor = patient is null && await db.Doctors.AnyAsync(d => d.UserId == userId, cancellationToken);
        if (patient is null && !isDoctor)
        {
            throw new ValidationFailedException("Only patients and doctors are approved here.");
        }

        // 1. The account, saved before anything goes to the chain so a retry reuses it.
        var account = await db.ChainAccounts.FirstOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        if (account is null)
        {
            account = keys.Create(userId);
            db.ChainAccounts.Add(account);
            await db.SaveChangesAsync(cancellationToken);
        }

        // 2. A patient's PID: the next in the area, never reused.
        if (patient is { Pid: null })
        {
            patient.Pid = await NextPidAsync(patient.AreaId, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        // 3. Funded and registered on the contract, unless an earlier attempt already did it.
        var onChain = await ledger.GetAccountAsync(account.Address, cancellationToken);
        if (onChain.Role == LedgerRole.None)
        {
            await ledger.FundAsync(account.Address, cancellationToken);
            if (patient is not null)
            {
                await ledger.RegisterPatientAsync(account.Address, patient.Address!.Value, cancellationToken);
            }
            else
            {
                await ledger.RegisterDoctorAsync(account.Address, cancellationToken);
            }
        }

        user.Status = UserStatus.Approved;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Approved user {UserId} with account {Account}", user.Id, account.Address);
        return new ApprovalResult(user.DisplayName, account.Address, patient?.Address);
    }

    private async Task<int> NextPidAsync(int areaId, CancellationToken cancellationToken)
    {
        // LastPid is a concurrency token: two approvals in one area cannot take the same number.
        for (var attempt = 0; ; attempt++)
        {
            var area = await db.Areas.FirstAsync(a => a.Id == areaId, cancellationToken);
            area.LastPid++;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return area.LastPid;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 10)
            {
                await db.Areas.Entry(area).ReloadAsync(cancellationToken);
            }
        }
    }
}

public sealed record ApprovalResult(string Name, string Account, PatientAddress? Address);

/// <summary>The admin rejects a registration; the account stays, marked rejected, can do nothing, and its sessions end.</summary>
public sealed class RejectUser(IEhrDbContext db, UserSessions sessions)
{
    public async Task<string> ExecuteAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("That user does not exist.");
        if (user.Status != UserStatus.Pending)
        {
            throw new ValidationFailedException($"{user.DisplayName} is not waiting for approval.");
        }

        user.Status = UserStatus.Rejected;
        await db.SaveChangesAsync(cancellationToken);
        await sessions.EndAllAsync(user, cancellationToken);
        return user.DisplayName;
    }
}
