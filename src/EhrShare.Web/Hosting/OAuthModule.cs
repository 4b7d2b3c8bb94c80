using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Api;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;

namespace EhrShare.Web.Hosting;

/// <summary>
/// The OAuth 2 authorization server for the FHIR API (OpenIddict core, server and validation, with stores of the
/// project's own on the app database: docs/decisions/openiddict-with-own-stores.md). Public mobile clients use the
/// authorization code flow with PKCE (S256) through the app's own sign-in and a consent page; gateway devices use client
/// credentials. Tokens are Data Protection payloads, so every instance opens what another issued; each has an entry in
/// the database, checked on every API request (with its authorization and its user, in one query:
/// <see cref="TokenEntryValidation"/>), so a revocation takes effect at once.
/// </summary>
public static class OAuthModule
{
    public const string AuthorizePath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string RevokePath = "/connect/revoke";

    /// <summary>The authentication scheme of FHIR API requests (bearer access tokens).</summary>
    public const string ApiScheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;

    public static IHostApplicationBuilder AddOAuthServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OAuthOptions>()
            .BindConfiguration(OAuthOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.MobileClient.RedirectUris.All(u => Uri.TryCreate(u, UriKind.Absolute, out _)),
                "OAuth:MobileClient:RedirectUris must be absolute URIs.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OAuthServerKeys>();
        builder.Services.AddScoped<GatewayDevices>();
        builder.Services.AddScoped<OAuthTokenEntries>();
        builder.Services.AddScoped<BearerSubject>();
        builder.Services.AddHostedService<OAuthClientRegistration>();

        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                core.SetDefaultApplicationEntity<OAuthApplication>()
                    .SetDefaultAuthorizationEntity<OAuthAuthorization>()
                    .SetDefaultScopeEntity<OAuthScope>()
                    .SetDefaultTokenEntity<OAuthToken>();
                core.ReplaceApplicationStore<OAuthApplication, OAuthApplicationStore>(ServiceLifetime.Scoped)
                    .ReplaceAuthorizationStore<OAuthAuthorization, OAuthAuthorizationStore>(ServiceLifetime.Scoped)
                    .ReplaceScopeStore<OAuthScope, OAuthScopeStore>(ServiceLifetime.Scoped)
                    .ReplaceTokenStore<OAuthToken, OAuthTokenStore>(ServiceLifetime.Scoped);
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(AuthorizePath[1..])
                    .SetTokenEndpointUris(TokenPath[1..])
                    .SetRevocationEndpointUris(RevokePath[1..]);
                server.AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();
                server.RegisterScopes([.. FhirScopes.All]);
                server.UseDataProtection();
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseDataProtection();
                validation.EnableAuthorizationEntryValidation();
                validation.EnableTokenEntryValidation();
                validation.UseAspNetCore();

                // One query for the token's entry, its authorization and its user, in place of OpenIddict's own two
                // (and the API's approval check): TokenEntryValidation.
                foreach (var replaced in TokenEntryValidation.Replaced)
                {
                    validation.RemoveEventHandler(replaced);
                }

                validation.AddEventHandler(TokenEntryValidation.Descriptor);
            });

        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureOAuthServer>();
        // Where the app does not require HTTPS (Development, Test, or behind a proxy that ends TLS and is not trusted
        // for X-Forwarded-Proto), OpenIddict's own HTTPS check would refuse every request.
        builder.Services.AddOptions<OpenIddictServerAspNetCoreOptions>().Configure<IOptions<WebOptions>>((server, web) =>
            server.DisableTransportSecurityRequirement = !web.Value.RequireHttps);
        return builder;
    }
}
