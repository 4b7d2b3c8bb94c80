using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>OpenIddict's application store on the app database.</summary>
public sealed class OAuthApplicationStore(EhrDbContext db) : EfStore<OAuthApplication>(db), IOpenIddictApplicationStore<OAuthApplication>
{
    public override async ValueTask DeleteAsync(OAuthApplication application, CancellationToken cancellationToken)
    {
        // Its authorizations and tokens go with it, in one transaction.
        // In the caller's transaction when there is one (a device's revocation), else in one of its own.
        var own = Db.Database.CurrentTransaction is null ? await Db.Database.BeginTransactionAsync(cancellationToken) : null;
        await using var transaction = own;
        await Db.Set<OAuthToken>().Where(t => t.ApplicationId == application.Id).ExecuteDeleteAsync(cancellationToken);
        await Db.Set<OAuthAuthorization>().Where(a => a.ApplicationId == application.Id).ExecuteDeleteAsync(cancellationToken);
        await base.DeleteAsync(application, cancellationToken);
        if (own is not null)
        {
            await own.CommitAsync(cancellationToken);
        }
    }

    public async ValueTask<OAuthApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(a => a.Id == identifier, cancellationToken);

    public async ValueTask<OAuthApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(a => a.ClientId == identifier, cancellationToken);

    public IAsyncEnumerable<OAuthApplication> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        FilterAsync(Set.Where(a => a.PostLogoutRedirectUris!.Contains(JsonSerializer.Serialize(uri, JsonSerializerOptions.Default))),
            a => StoreJson.Strings(a.PostLogoutRedirectUris).Contains(uri, StringComparer.Ordinal), cancellationToken);

    public IAsyncEnumerable<OAuthApplication> FindByRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        FilterAsync(Set.Where(a => a.RedirectUris!.Contains(JsonSerializer.Serialize(uri, JsonSerializerOptions.Default))),
            a => StoreJson.Strings(a.RedirectUris).Contains(uri, StringComparer.Ordinal), cancellationToken);

    public ValueTask<string?> GetApplicationTypeAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ApplicationType);

    public ValueTask<string?> GetClientIdAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ClientId);

    public ValueTask<string?> GetClientSecretAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ClientSecret);

    public ValueTask<string?> GetClientTypeAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ClientType);

    public ValueTask<string?> GetConsentTypeAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.ConsentType);

    public ValueTask<string?> GetDisplayNameAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.DisplayName);

    public ValueTask<ImmutableDictionary<CultureInfo, string>> GetDisplayNamesAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Localized(application.DisplayNames));

    public ValueTask<string?> GetIdAsync(OAuthApplication application, CancellationToken cancellationToken) => new(application.Id);

    public ValueTask<JsonWebKeySet?> GetJsonWebKeySetAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(string.IsNullOrEmpty(application.JsonWebKeySet) ? null : new JsonWebKeySet(application.JsonWebKeySet));

    public ValueTask<ImmutableArray<string>> GetPermissionsAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(application.Permissions));

    public ValueTask<ImmutableArray<string>> GetPostLogoutRedirectUrisAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(application.PostLogoutRedirectUris));

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Properties(application.Properties));

    public ValueTask<ImmutableArray<string>> GetRedirectUrisAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(application.RedirectUris));

    public ValueTask<ImmutableArray<string>> GetRequirementsAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(application.Requirements));

    public ValueTask<ImmutableDictionary<string, string>> GetSettingsAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        new(StoreJson.Settings(application.Settings));

    public ValueTask SetApplicationTypeAsync(OAuthApplication application, string? type, CancellationToken cancellationToken)
    {
        application.ApplicationType = type;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetClientIdAsync(OAuthApplication application, string? identifier, CancellationToken cancellationToken)
    {
        application.ClientId = identifier;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetClientSecretAsync(OAuthApplication application, string? secret, CancellationToken cancellationToken)
    {
        application.ClientSecret = secret;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetClientTypeAsync(OAuthApplication application, string? type, CancellationToken cancellationToken)
    {
        application.ClientType = type;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetConsentTypeAsync(OAuthApplication application, string? type, CancellationToken cancellationToken)
    {
        application.ConsentType = type;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetDisplayNameAsync(OAuthApplication application, string? name, CancellationToken cancellationToken)
    {
        application.DisplayName = name;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetDisplayNamesAsync(OAuthApplication application, ImmutableDictionary<CultureInfo, string> names, CancellationToken cancellationToken)
    {
        application.DisplayNames = StoreJson.Localized(names);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetJsonWebKeySetAsync(OAuthApplication application, JsonWebKeySet? set, CancellationToken cancellationToken)
    {
        application.JsonWebKeySet = set is null ? null : JsonSerializer.Serialize(set);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPermissionsAsync(OAuthApplication application, ImmutableArray<string> permissions, CancellationToken cancellationToken)
    {
        application.Permissions = StoreJson.Strings(permissions);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPostLogoutRedirectUrisAsync(OAuthApplication application, ImmutableArray<string> uris, CancellationToken cancellationToken)
    {
        application.PostLogoutRedirectUris = StoreJson.Strings(uris);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPropertiesAsync(OAuthApplication application, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken)
    {
        application.Properties = StoreJson.Properties(properties);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetRedirectUrisAsync(OAuthApplication application, ImmutableArray<string> uris, CancellationToken cancellationToken)
    {
        application.RedirectUris = StoreJson.Strings(uris);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetRequirementsAsync(OAuthApplication application, ImmutableArray<string> requirements, CancellationToken cancellationToken)
    {
        application.Requirements = StoreJson.Strings(requirements);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetSettingsAsync(OAuthApplication application, ImmutableDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        application.Settings = StoreJson.Settings(settings);
        return ValueTask.CompletedTask;
    }

    /// <summary>Redirect URIs live in a JSON column: the rows whose text holds the URI as JSON writes it are read, then
    /// checked exactly.</summary>
    private static async IAsyncEnumerable<OAuthApplication> FilterAsync(IQueryable<OAuthApplication> candidates, Func<OAuthApplication, bool> predicate,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var application in candidates.AsTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (predicate(application))
            {
                yield return application;
            }
        }
    }
}
