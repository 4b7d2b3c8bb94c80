using System.Globalization;
using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Accounts;

/// <summary>
/// The server's list of signed-in sessions. Each sign-in gets a random id (carried in the auth cookie) and a row in
/// Identity's user-token table; a cookie is honoured only while its row exists, its user's security stamp is the one
/// it was issued with, and its lifetime has not passed. Ending a session deletes its row, so a copied cookie stops
/// working at once (docs/decisions/sessions-checked-on-every-request.md).
/// </summary>
public sealed class UserSessions(IEhrDbContext db, UserManager<ApplicationUser> users, TimeProvider clock, IOptions<AccountOptions> options)
{
    /// <summary>The user-token "login provider" under which sessions are kept.</summary>
    public const string Provider = "EhrShare.Session";

    /// <summary>The claim in the auth cookie that names its session.</summary>
    public const string ClaimType = "ehr:sid";

    /// <summary>Opens a session for <paramref name="user"/> and returns its id; drops the user's sessions that have expired.</summary>
    public async Task<string> StartAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var mine = await db.UserTokens.Where(t => t.UserId == user.Id && t.LoginProvider == Provider).ToListAsync(cancellationToken);
        db.UserTokens.RemoveRange(mine.Where(t => ExpiresAt(t.Value) <= now));
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        db.UserTokens.Add(new IdentityUserToken<string>
        {
            UserId = user.Id,
            LoginProvider = Provider,
            Name = id,
            Value = (now + options.Value.SessionLifetime).ToString("O", CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// The user of a live session: its row exists, it has not expired, and <paramref name="securityStamp"/> is the
    /// user's current stamp. Null otherwise. One query; the user it returns is tracked, so later look-ups of the
    /// same user in the request are free.
    /// </summary>
    public async Task<ApplicationUser?> FindActiveAsync(string userId, string? securityStamp, string sessionId, CancellationToken cancellationToken)
    {
        var row = await (
                from user in db.Users
                join token in db.UserTokens on user.Id equals token.UserId
                where user.Id == userId && token.LoginProvider == Provider && token.Name == sessionId
                select new { User = user, token.Value })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null || ExpiresAt(row.Value) <= clock.GetUtcNow())
        {
            return null;
        }

        // The cookie is authenticated by Data Protection, so the stamp in it is the one we issued: a plain comparison.
        return row.User.SecurityStamp is { Length: > 0 } stamp && stamp == securityStamp ? row.User : null;
    }

    /// <summary>Ends one session (sign-out). Nothing happens if it has already ended.</summary>
    public Task EndAsync(string userId, string sessionId, CancellationToken cancellationToken) =>
        db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == sessionId)
            .ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Ends every session of the user (sign out everywhere, suspension, rejection, a new password): their rows go, and
    /// the security stamp changes so that nothing issued before (a remembered two-factor browser, a reset link) holds.
    /// </summary>
    public async Task<int> EndAllAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new NotFoundException("That user does not exist.");
        return await EndAllAsync(user, cancellationToken);
    }

    /// <inheritdoc cref="EndAllAsync(string, CancellationToken)"/>
    public async Task<int> EndAllAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var ended = await db.UserTokens.Where(t => t.UserId == user.Id && t.LoginProvider == Provider).ExecuteDeleteAsync(cancellationToken);
        var result = await users.UpdateSecurityStampAsync(user);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Could not change the security stamp: " + string.Join("; ", result.Errors.Select(e => e.Code)));
        }

        return ended;
    }

    private static DateTimeOffset ExpiresAt(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : DateTimeOffset.MinValue;

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
