using System.Collections.Immutable;
using System.Text.Json;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>OpenIddict's authorization store on the app database.</summary>
public sealed class OAuthAuthorizationStore(EhrDbContext db) : EfStore<OAuthAuthorization>(db), IOpenIddictAuthorizationStore<OAuthAuthorization>
{
    public override async ValueTask DeleteAsync(OAuthAuthorization authorization, CancellationToken cancellationToken)
    {
        // In the caller's transaction when there is one (a device's revocation), else in one of its own.
        var own = Db.Database.CurrentTransaction is null ? await Db.Database.BeginTransactionAsync(cancellationToken) : null;
        await using var transaction = own;
        await Db.Set<OAuthToken>().Where(t => t.AuthorizationId == authorization.Id).ExecuteDeleteAsync(cancellationToken);
        await base.DeleteAsync(authorization, cancellationToken);
        if (own is not null)
        {
            await own.CommitAsync(cancellationToken);
        }
    }

    public async IAsyncEnumerable<OAuthAuthorization> FindAsync(string? subject, string? client, string? status, string? type,
        ImmutableArray<string>? scopes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var authorization in Filter(subject, client, status, type).AsTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (scopes is null || StoreJson.Strings(authorization.Scopes).ToHashSet(StringComparer.Ordinal).IsSupersetOf(scopes.Value))
            {
                yield return authorization;
            }
        }
    }

    public IAsyncEnumerable<OAuthAuthorization> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(a => a.ApplicationId == identifier), cancellationToken);

    public async ValueTask<OAuthAuthorization?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(a => a.Id == identifier, cancellationToken);

    public IAsyncEnumerable<OAuthAuthorization> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        StreamAsync(Set.AsTracking().Where(a => a.Subject == subject), cancellationToken);

    public ValueTask<string?> GetApplicationIdAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.ApplicationId);

    public ValueTask<DateTimeOffset?> GetCreationDateAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.CreationDate);

    public ValueTask<string?> GetIdAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Id);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) =>
        new(StoreJson.Properties(authorization.Properties));

    public ValueTask<ImmutableArray<string>> GetScopesAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(authorization.Scopes));

    public ValueTask<string?> GetStatusAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Status);

    public ValueTask<string?> GetSubjectAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Subject);

    public ValueTask<string?> GetTypeAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) => new(authorization.Type);

    /// <summary>Removes authorizations created before <paramref name="threshold"/> that no longer serve: not valid, or
    /// ad hoc with no token left.</summary>
    public async ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        var tokens = Db.Set<OAuthToken>();
        return await Set
            .Where(a => a.CreationDate < threshold)
            .Where(a => a.Status != Statuses.Valid || (a.Type == AuthorizationTypes.AdHoc && !tokens.Any(t => t.AuthorizationId == a.Id)))
            .ExecuteDeleteAsync(cancellationToken);
    }

    public async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        await RevokeAsync(Filter(subject, client, status, type), cancellationToken);

    public async ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(a => a.ApplicationId == identifier), cancellationToken);

    public async ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        await RevokeAsync(Set.Where(a => a.Subject == subject), cancellationToken);

    public ValueTask SetApplicationIdAsync(OAuthAuthorization authorization, string? identifier, CancellationToken cancellationToken)
    {
        authorization.ApplicationId = identifier;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetCreationDateAsync(OAuthAuthorization authorization, DateTimeOffset? date, CancellationToken cancellationToken)
    {
        authorization.CreationDate = date;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPropertiesAsync(OAuthAuthorization authorization, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken)
    {
        authorization.Properties = StoreJson.Properties(properties);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetScopesAsync(OAuthAuthorization authorization, ImmutableArray<string> scopes, CancellationToken cancellationToken)
    {
        authorization.Scopes = StoreJson.Strings(scopes);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetStatusAsync(OAuthAuthorization authorization, string? status, CancellationToken cancellationToken)
    {
        authorization.Status = status;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetSubjectAsync(OAuthAuthorization authorization, string? subject, CancellationToken cancellationToken)
    {
        authorization.Subject = subject;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetTypeAsync(OAuthAuthorization authorization, string? type, CancellationToken cancellationToken)
    {
        authorization.Type = type;
        return ValueTask.CompletedTask;
    }

    private IQueryable<OAuthAuthorization> Filter(string? subject, string? client, string? status, string? type)
    {
        IQueryable<OAuthAuthorization> query = Set;
        if (subject is not null)
        {
            query = query.Where(a => a.Subject == subject);
        }

        if (client is not null)
        {
            query = query.Where(a => a.ApplicationId == client);
        }

        if (status is not null)
        {
            query = query.Where(a => a.Status == status);
        }

        if (type is not null)
        {
            query = query.Where(a => a.Type == type);
        }

        return query;
    }

    private static async Task<long> RevokeAsync(IQueryable<OAuthAuthorization> query, CancellationToken cancellationToken) =>
        await query.ExecuteUpdateAsync(a => a
            .SetProperty(x => x.Status, Statuses.Revoked)
            .SetProperty(x => x.ConcurrencyToken, Guid.NewGuid().ToString()), cancellationToken);
}
