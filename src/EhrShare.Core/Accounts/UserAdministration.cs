using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Accounts;

/// <summary>An approved user as the admin sees them, with their standing on the chain.</summary>
public sealed record UserOverview(
    string UserId,
    string Name,
    string Email,
    string Role,
    string Account,
    PatientAddress? Address,
    bool Suspended,
    uint Penalties,
    DateTimeOffset? LockedOutUntil);

/// <summary>
/// The admin suspends, reinstates, lifts doctors' penalties (the chain holds this state), signs users out
/// everywhere and unlocks accounts locked by failed sign-ins. A suspension also ends the user's sessions.
/// </summary>
public sealed class UserAdministration(
    IEhrDbContext db,
    IAccessLedger ledger,
    UserSessions sessions,
    UserManager<ApplicationUser> users,
    TimeProvider clock,
    ILogger<UserAdministration> logger)
{
    public async Task<IReadOnlyList<UserOverview>> ListAsync(string? search, CancellationToken cancellationToken)
    {
        var query =
            from user in db.Users.AsNoTracking()
            join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId
            where user.Status == UserStatus.Approved
            select new { user, account };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(x => x.user.DisplayName.Contains(term) || x.user.Email!.Contains(term));
        }

        var rows = await query.OrderBy(x => x.user.DisplayName).Take(200).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.user.Id).ToList();
        var patients = await db.Patients.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, cancellationToken);
        var standings = await Task.WhenAll(rows.Select(r => ledger.GetAccountAsync(r.account.Address, cancellationToken)));
        var now = clock.GetUtcNow();
        return rows.Select((r, i) => new UserOverview(
                r.user.Id, r.user.DisplayName, r.user.Email ?? "",
                patients.ContainsKey(r.user.Id) ? Roles.Patient : Roles.Doctor,
                r.account.Address,
                patients.TryGetValue(r.user.Id, out var p) ? p.Address : null,
                standings[i].Suspended,
                standings[i].Penalties,
                r.user.LockoutEnd > now ? r.user.LockoutEnd : null))
            .ToList();
    }

    public async Task SuspendAsync(string userId, CancellationToken cancellationToken)
    {
        await ledger.SuspendAsync(await AccountOfAsync(userId, cancellationToken), cancellationToken);
        await sessions.EndAllAsync(userId, cancellationToken);
    }

    /// <summary>Ends every session of the user; they must sign in again. Returns how many were open.</summary>
    public Task<int> SignOutEverywhereAsync(string userId, CancellationToken cancellationToken) =>
        sessions.EndAllAsync(userId, cancellationToken);

    /// <summary>
    /// Ends the lockout that failed sign-ins put on the account and clears its failure count, so its owner can sign in
    /// at once. Returns false when the account was not locked. The log names only the two user ids.
    /// </summary>
    public async Task<bool> UnlockAsync(string userId, string managerId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var user = await users.FindByIdAsync(userId) ?? throw new NotFoundException("No such user.");
        var wasLocked = await users.IsLockedOutAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        if (wasLocked)
        {
            logger.LogInformation("User {UserId} unlocked by the manager {ManagerId}", user.Id, managerId);
        }

        return wasLocked;
    }

    public async Task ReinstateAsync(string userId, CancellationToken cancellationToken) =>
        await ledger.ReinstateAsync(await AccountOfAsync(userId, cancellationToken), cancellationToken);

    /// <summary>Clears a doctor's penalty count and any suspension.</summary>
    public async Task LiftPenaltyAsync(string userId, CancellationToken cancellationToken)
    {
        if (!await db.Doctors.AnyAsync(d => d.UserId == userId, cancellationToken))
        {
            throw new ValidationFailedException("Only doctors have penalties.");
        }

        await ledger.LiftPenaltyAsync(await AccountOfAsync(userId, cancellationToken), cancellationToken);
    }

    private async Task<string> AccountOfAsync(string userId, CancellationToken cancellationToken) =>
        await db.ChainAccounts.Where(a => a.UserId == userId).Select(a => a.Address).FirstOrDefaultAsync(cancellationToken)
        ?? throw new NotFoundException("That user has no account on the chain (not approved).");
}
