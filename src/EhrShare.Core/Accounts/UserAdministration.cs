using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EhrShare.Core.Accounts;

/// <summary>A patient or doctor as the admin sees them, with their standing on the chain once approved.</summary>
public sealed record UserSummary(
    string UserId,
    string Name,
    string Email,
    string Role,
    string? Account,
    PatientAddress? Address,
    bool Suspended,
    uint Penalties,
    DateTimeOffset? LockedOutUntil)
{
    public UserStatus Status { get; init; } = UserStatus.Approved;
}

/// <summary>Which users the manager's Users page lists.</summary>
public enum UserFilter
{
    /// <summary>Every patient and doctor, whatever their standing.</summary>
    All = 0,

    /// <summary>Registered and waiting for the manager's decision.</summary>
    Pending,

    /// <summary>Registrations the manager rejected (they can be reopened).</summary>
    Rejected,

    /// <summary>Locked by failed sign-ins, until the lockout ends or the manager unlocks them.</summary>
    Locked,

    /// <summary>Suspended on the chain (by the manager, or by the contract for repeated refusals).</summary>
    Suspended,
}

/// <summary>A page of the Users list: the users shown, and whether more matched than are shown.</summary>
public sealed record UserList(IReadOnlyList<UserSummary> Users, bool Truncated);

/// <summary>
/// The admin suspends, reinstates, lifts doctors' penalties (the chain holds this state), signs users out
/// everywhere, unlocks accounts locked by failed sign-ins and reopens rejected registrations. A suspension also ends
/// the user's sessions.
/// </summary>
public sealed class UserAdministration(
    IEhrDbContext db,
    IAccessLedger ledger,
    UserSessions sessions,
    UserManager<ApplicationUser> users,
    TimeProvider clock,
    ILogger<UserAdministration> logger)
{
    /// <summary>Most users one page lists.</summary>
    public const int PageSize = 200;

    /// <summary>
    /// Patients and doctors matching <paramref name="search"/> (name or email) and <paramref name="filter"/>, by name.
    /// Suspension is the chain's state: that filter asks the chain about the approved users matching the search, the
    /// first <see cref="SuspendedCandidates"/> of them by name.
    /// </summary>
    public async Task<UserList> ListAsync(string? search, UserFilter filter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var query = People();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(x => x.User.DisplayName.Contains(term) || x.User.Email!.Contains(term));
        }

        query = filter switch
        {
            UserFilter.Pending => query.Where(x => x.User.Status == UserStatus.Pending),
            UserFilter.Rejected => query.Where(x => x.User.Status == UserStatus.Rejected),
            UserFilter.Locked => query.Where(x => x.User.LockoutEnd > now),
            UserFilter.Suspended => query.Where(x => x.User.Status == UserStatus.Approved),
            _ => query,
        };
        var take = filter == UserFilter.Suspended ? SuspendedCandidates : PageSize;
        var rows = await query.OrderBy(x => x.User.DisplayName).ThenBy(x => x.User.Id).Take(take + 1).ToListAsync(cancellationToken);
        var truncated = rows.Count > take;
        var summaries = await SummariesAsync(rows.Take(take).ToList(), now, cancellationToken);
        if (filter == UserFilter.Suspended)
        {
            summaries = summaries.Where(u => u.Suspended).ToList();
        }

        return new UserList(summaries, truncated);
    }

    /// <summary>Approved users the Suspended filter asks the chain about, at most.</summary>
    public const int SuspendedCandidates = 500;

    /// <summary>One patient or doctor, as listed; for the confirmation pages that name whom an action concerns.</summary>
    public async Task<UserSummary> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await People().Where(x => x.User.Id == userId).ToListAsync(cancellationToken);
        return (await SummariesAsync(rows, clock.GetUtcNow(), cancellationToken)).SingleOrDefault()
            ?? throw new NotFoundException("No such user.");
    }

    /// <summary>
    /// Puts a rejected registration back in the approval queue, as it was registered; the person can sign in and
    /// sees that it is waiting. Returns the person's name.
    /// </summary>
    public async Task<string> ReopenAsync(string userId, string managerId, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("No such user.");
        if (user.Status != UserStatus.Rejected)
        {
            throw new ValidationFailedException($"{user.DisplayName}'s registration is not rejected: there is nothing to reopen.");
        }

        user.Status = UserStatus.Pending;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Registration of user {UserId} reopened by the manager {ManagerId}", user.Id, managerId);
        return user.DisplayName;
    }

    private IQueryable<UserRow> People() =>
        from user in db.Users.AsNoTracking()
        join account in db.ChainAccounts.AsNoTracking() on user.Id equals account.UserId into accounts
        from account in accounts.DefaultIfEmpty()
        where db.Patients.Any(p => p.UserId == user.Id) || db.Doctors.Any(d => d.UserId == user.Id)
        select new UserRow { User = user, Account = account == null ? null : account.Address };

    private async Task<List<UserSummary>> SummariesAsync(List<UserRow> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.User.Id).ToList();
        var patients = await db.Patients.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, cancellationToken);
        var standings = await Task.WhenAll(rows.Select(r => StandingAsync(r, cancellationToken)));
        return rows.Select((r, i) => new UserSummary(
                r.User.Id, r.User.DisplayName, r.User.Email ?? "",
                patients.ContainsKey(r.User.Id) ? Roles.Patient : Roles.Doctor,
                r.Account,
                patients.TryGetValue(r.User.Id, out var p) ? p.Address : null,
                standings[i]?.Suspended ?? false,
                standings[i]?.Penalties ?? 0,
                r.User.LockoutEnd > now ? r.User.LockoutEnd : null) { Status = r.User.Status })
            .ToList();
    }

    private async Task<LedgerAccount?> StandingAsync(UserRow person, CancellationToken cancellationToken) =>
        person.Account is { } account && person.User.Status == UserStatus.Approved
            ? await ledger.GetAccountAsync(account, cancellationToken)
            : null;

    /// <summary>A user row with its chain account, if approved (a class with setters so EF can filter on it after the projection).</summary>
    private sealed class UserRow
    {
        public required ApplicationUser User { get; init; }

        public string? Account { get; init; }
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
