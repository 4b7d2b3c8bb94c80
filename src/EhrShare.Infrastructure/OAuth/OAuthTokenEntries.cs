using EhrShare.Core.Users;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>
/// What an API request's bearer token is checked against, read in one query: the token's entry (what revocation
/// marks), the status of the authorization it was issued under (what revoking a consent marks), and the status of the
/// user it names. Nothing is cached: a revocation or a suspension holds from the next request, on every instance.
/// </summary>
/// <param name="Id">The entry's id.</param>
/// <param name="Type">The token's type as OpenIddict stored it.</param>
/// <param name="Status">The entry's status (<c>valid</c>, <c>revoked</c>, ...).</param>
/// <param name="CreationDate">When it was issued.</param>
/// <param name="ExpirationDate">When it expires.</param>
/// <param name="AuthorizationId">The authorization it was issued under, if any (none for a device's client credentials).</param>
/// <param name="AuthorizationStatus">That authorization's status; null if it has none or it no longer exists.</param>
/// <param name="SubjectStatus">The status of the user the token names; null if the subject is no user (a device).</param>
public sealed record OAuthTokenEntry(
    string Id,
    string? Type,
    string? Status,
    DateTimeOffset? CreationDate,
    DateTimeOffset? ExpirationDate,
    string? AuthorizationId,
    string? AuthorizationStatus,
    UserStatus? SubjectStatus);

/// <summary>Reads <see cref="OAuthTokenEntry"/>: the bearer-token check of every API request.</summary>
public sealed class OAuthTokenEntries(EhrDbContext db)
{
    /// <summary>The token's entry with its authorization's and <paramref name="subject"/>'s status; null if there is no
    /// such entry (deleted with its device or authorization, or pruned).</summary>
    public async Task<OAuthTokenEntry?> FindAsync(string tokenId, string? subject, CancellationToken cancellationToken) =>
        await db.OAuthTokens.AsNoTracking()
            .Where(t => t.Id == tokenId)
            .Select(t => new OAuthTokenEntry(
                t.Id,
                t.Type,
                t.Status,
                t.CreationDate,
                t.ExpirationDate,
                t.AuthorizationId,
                db.OAuthAuthorizations.Where(a => a.Id == t.AuthorizationId).Select(a => a.Status).FirstOrDefault(),
                db.Users.Where(u => u.Id == subject).Select(u => (UserStatus?)u.Status).FirstOrDefault()))
            .FirstOrDefaultAsync(cancellationToken);
}
