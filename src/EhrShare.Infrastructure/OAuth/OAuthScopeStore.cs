using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace EhrShare.Infrastructure.OAuth;

/// <summary>OpenIddict's scope store on the app database. EhrShare's scopes are registered in the server's options,
/// so this table holds only scopes an operator adds.</summary>
public sealed class OAuthScopeStore(EhrDbContext db) : EfStore<OAuthScope>(db), IOpenIddictScopeStore<OAuthScope>
{
    public async ValueTask<OAuthScope?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(s => s.Id == identifier, cancellationToken);

    public async ValueTask<OAuthScope?> FindByNameAsync(string name, CancellationToken cancellationToken) =>
        await Set.AsTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);

    public IAsyncEnumerable<OAuthScope> FindByNamesAsync(ImmutableArray<string> names, CancellationToken cancellationToken)
    {
        var wanted = names.ToArray();
        return StreamAsync(Set.AsTracking().Where(s => wanted.Contains(s.Name)), cancellationToken);
    }

    public async IAsyncEnumerable<OAuthScope> FindByResourceAsync(string resource,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var encoded = JsonSerializer.Serialize(resource);
        await foreach (var scope in Set.AsTracking().Where(s => s.Resources!.Contains(encoded)).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (StoreJson.Strings(scope.Resources).Contains(resource, StringComparer.Ordinal))
            {
                yield return scope;
            }
        }
    }

    public ValueTask<string?> GetDescriptionAsync(OAuthScope scope, CancellationToken cancellationToken) => new(scope.Description);

    public ValueTask<ImmutableDictionary<CultureInfo, string>> GetDescriptionsAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(StoreJson.Localized(scope.Descriptions));

    public ValueTask<string?> GetDisplayNameAsync(OAuthScope scope, CancellationToken cancellationToken) => new(scope.DisplayName);

    public ValueTask<ImmutableDictionary<CultureInfo, string>> GetDisplayNamesAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(StoreJson.Localized(scope.DisplayNames));

    public ValueTask<string?> GetIdAsync(OAuthScope scope, CancellationToken cancellationToken) => new(scope.Id);

    public ValueTask<string?> GetNameAsync(OAuthScope scope, CancellationToken cancellationToken) => new(scope.Name);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(StoreJson.Properties(scope.Properties));

    public ValueTask<ImmutableArray<string>> GetResourcesAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(StoreJson.Strings(scope.Resources));

    public ValueTask SetDescriptionAsync(OAuthScope scope, string? description, CancellationToken cancellationToken)
    {
        scope.Description = description;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetDescriptionsAsync(OAuthScope scope, ImmutableDictionary<CultureInfo, string> descriptions, CancellationToken cancellationToken)
    {
        scope.Descriptions = StoreJson.Localized(descriptions);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetDisplayNameAsync(OAuthScope scope, string? name, CancellationToken cancellationToken)
    {
        scope.DisplayName = name;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetDisplayNamesAsync(OAuthScope scope, ImmutableDictionary<CultureInfo, string> names, CancellationToken cancellationToken)
    {
        scope.DisplayNames = StoreJson.Localized(names);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetNameAsync(OAuthScope scope, string? name, CancellationToken cancellationToken)
    {
        scope.Name = name;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetPropertiesAsync(OAuthScope scope, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken)
    {
        scope.Properties = StoreJson.Properties(properties);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetResourcesAsync(OAuthScope scope, ImmutableArray<string> resources, CancellationToken cancellationToken)
    {
        scope.Resources = StoreJson.Strings(resources);
        return ValueTask.CompletedTask;
    }
}
