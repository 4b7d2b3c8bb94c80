using System.Collections.Immutable;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>OpenIddict's authorization store on the app database.</summary>
public sealed class OAuthAuthorizationStore(EhrDbContext db) : OAuthGrantStore<OAuthAuthorization>(db), IOpenIddictAuthorizationStore<OAuthAuthorization>
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

    public ValueTask<ImmutableArray<string>> GetScopesAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(authorization.Scopes));

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

    public ValueTask SetScopesAsync(OAuthAuthorization authorization, ImmutableArray<string> scopes, CancellationToken cancellationToken)
    {
        authorization.Scopes = StoreJson.Strings(scopes);
        return ValueTask.CompletedTask;
    }
}
