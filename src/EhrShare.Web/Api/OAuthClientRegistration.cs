using EhrShare.Infrastructure.OAuth;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Web.Api;

/// <summary>
/// At start: loads the server's keys and registers (or updates) the mobile app's public client from
/// <c>OAuth:MobileClient</c>. A database out of reach does not stop the start: it is retried in the background.
/// Instances starting together may both create the client; the unique client id keeps one, and the other's update
/// finds it next time.
/// </summary>
internal sealed class OAuthClientRegistration(
    IServiceScopeFactory scopes,
    OAuthServerKeys keys,
    IOptions<OAuthOptions> options,
    IOptionsMonitorCache<OpenIddictServerOptions> serverOptions,
    IOptionsMonitorCache<OpenIddictValidationOptions> validationOptions,
    ILogger<OAuthClientRegistration> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _retrying;
    private bool _disposed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await TryOnceAsync(cancellationToken))
        {
            _retrying = RetryAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            // A host stopped after its services were disposed (a test host disposed twice): nothing runs any more.
            return;
        }

        await _stopping.CancelAsync();
        if (_retrying is not null)
        {
            await Task.WhenAny(_retrying, Task.Delay(Timeout.Infinite, cancellationToken));
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _stopping.Dispose();
    }

    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (await TryOnceAsync(cancellationToken))
            {
                return;
            }
        }
    }

    private async Task<bool> TryOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keys.LoadAsync(cancellationToken);
            // Built before the keys were loaded (a request while the database was away), the options hold throwaway
            // keys (ConfigureOAuthServer): built again on the next request, with the deployment's keys.
            serverOptions.TryRemove(Options.DefaultName);
            validationOptions.TryRemove(Options.DefaultName);
            await RegisterMobileClientAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The OAuth server's keys or mobile client could not be set up yet ({Error}); retrying in the background", e.Message);
            return false;
        }
    }

    private async Task RegisterMobileClientAsync(CancellationToken cancellationToken)
    {
        var client = options.Value.MobileClient;
        using var scope = scopes.CreateScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Native,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = client.DisplayName,
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var scopeName in FhirScopes.All)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scopeName);
        }

        foreach (var uri in client.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        if (await applications.FindByClientIdAsync(client.ClientId, cancellationToken) is { } existing)
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
        else
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
    }
}
