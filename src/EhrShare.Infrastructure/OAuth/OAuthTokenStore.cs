using System.Collections.Immutable;
using System.Text.Json;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>OpenIddict's token store on the app database: every issued token has an entry here, which is what
/// revocation marks and what the validation checks on every API request.</summary>
public sealed class OAuthTokenStore(EhrDbContext db) : EfStore<OAuthToken>(db), IOpenIddictTokenStore<OAuthToken>
{
    public IAsyncEnumerable<OAuthToken> FindAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        StreamAsync(Filter(subject, client, status, type).AsTracking(), cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(t => t.ApplicationId == identifier), cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(t => t.AuthorizationId == identifier), cancellationToken);

    public async ValueTask<OAuthToken?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(t => t.Id == identifier, cancellationToken);

    public async ValueTask<OAuthToken?> FindByReferenceIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(t => t.ReferenceId == identifier, cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(t => t.Subject == subject), cancellationToken);

    public ValueTask<string?> GetApplicationIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ApplicationId);

    public ValueTask<string?> GetAuthorizationIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.AuthorizationId);

    public ValueTask<DateTimeOffset?> GetCreationDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.CreationDate);

    public ValueTask<DateTimeOffset?> GetExpirationDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ExpirationDate);

    public ValueTask<string?> GetIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Id);

    public ValueTask<string?> GetPayloadAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Payload);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthToken token, CancellationToken cancellationToken) =>
        new(StoreJson.Properties(token.Properties));

    public ValueTask<DateTimeOffset?> GetRedemptionDateAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.RedemptionDate);

    public ValueTask<string?> GetReferenceIdAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.ReferenceId);

    public ValueTask<string?> GetStatusAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Status);

    public ValueTask<string?> GetSubjectAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Subject);

    public ValueTask<string?> GetTypeAsync(OAuthToken token, CancellationToken cancellationToken) => new(token.Type);

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

    public async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        await RevokeAsync(Filter(subject, client, status, type), cancellationToken);

    public async ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(t => t.ApplicationId == identifier), cancellationToken);

    public async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(t => t.AuthorizationId == identifier), cancellationToken);

    public async ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(t => t.Subject == subject), cancellationToken);

    public ValueTask SetApplicationIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken)
    {
        token.ApplicationId = identifier;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetAuthorizationIdAsync(OAuthToken token, string? identifier, CancellationToken cancellationToken)
    {
        token.AuthorizationId = identifier;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetCreationDateAsync(OAuthToken token, DateTimeOffset? date, CancellationToken cancellationToken)
    {
        token.CreationDate = date;
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

    public ValueTask SetPropertiesAsync(OAuthToken token, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken)
    {
        token.Properties = StoreJson.Properties(properties);
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

    public ValueTask SetStatusAsync(OAuthToken token, string? status, CancellationToken cancellationToken)
    {
        token.Status = status;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetSubjectAsync(OAuthToken token, string? subject, CancellationToken cancellationToken)
    {
        token.Subject = subject;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetTypeAsync(OAuthToken token, string? type, CancellationToken cancellationToken)
    {
        token.Type = type;
        return ValueTask.CompletedTask;
    }

    private IQueryable<OAuthToken> Filter(string? subject, string? client, string? status, string? type)
    {
        IQueryable<OAuthToken> query = Set;
        if (subject is not null)
        {
            query = query.Where(t => t.Subject == subject);
        }

        if (client is not null)
        {
            query = query.Where(t => t.ApplicationId == client);
        }

        if (status is not null)
        {
            query = query.Where(t => t.Status == status);
        }

        if (type is not null)
        {
            query = query.Where(t => t.Type == type);
        }

        return query;
    }

    private static async Task<long> RevokeAsync(IQueryable<OAuthToken> query, CancellationToken cancellationToken) =>
        await query.ExecuteUpdateAsync(t => t
            .SetProperty(x => x.Status, Statuses.Revoked)
            .SetProperty(x => x.ConcurrencyToken, Guid.NewGuid().ToString()), cancellationToken);
}
