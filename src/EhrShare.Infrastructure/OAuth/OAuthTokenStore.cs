using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>OpenIddict's token store on the app database: every issued token has an entry here, which is what
/// revocation marks and what the validation checks on every API request.</summary>
public sealed class OAuthTokenStore(EhrDbContext db) : OAuthGrantStore<OAuthToken>(db), IOpenIddictTokenStore<OAuthToken>
{
    public IAsyncEnumerable<OAuthToken> FindAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        StreamAsync(Filter(subject, client, status, type).AsTracking(), cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(t => t.AuthorizationId == identifier), cancellationToken);

    public async ValueTask<OAuthToken?> FindByReferenceIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(t => t.ReferenceId == identifier, cancellationToken);

    public ValueTask<string?> GetAuthorizationIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.AuthorizationId);

    public ValueTask<DateTimeOffset?> GetExpirationDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ExpirationDate);

    public ValueTask<string?> GetPayloadAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Payload);

    public ValueTask<DateTimeOffset?> GetRedemptionDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.RedemptionDate);

    public ValueTask<string?> GetReferenceIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ReferenceId);

    /// <summary>Removes entries created before <paramref name="threshold"/> that can no longer be used: expired, or
    /// neither inactive nor valid, or whose authorization is no longer valid.</summary>
    public async ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var authorizations = Db.Set<OAuthAuthorization>();
        return await Set
            .Where(t => t.CreationDate < threshold)
            .Where(t => (t.Status != Statuses.Inactive && t.Status != Statuses.Valid)
                || t.ExpirationDate < now
                || authorizations.Any(a => a.Id == t.AuthorizationId && a.Status != Statuses.Valid))
            .ExecuteDeleteAsync(cancellationToken);
    }

    public async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(t => t.AuthorizationId == identifier), cancellationToken);

    public ValueTask SetAuthorizationIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken)
    {
        token.AuthorizationId = identifier;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetExpirationDateAsync(OAuthToken token, DateTimeOffset? date, CancellationToken cancellationToken)
    {
        token.ExpirationDate = date;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPayloadAsync(OAuthToken token, string? payload, CancellationToken cancellationToken)
    {
        token.Payload = payload;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetRedemptionDateAsync(OAuthToken token, DateTimeOffset? date, CancellationToken cancellationToken)
    {
        token.RedemptionDate = date;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetReferenceIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken)
    {
        token.ReferenceId = identifier;
        return ValueTask.CompletedTask;
    }
}
