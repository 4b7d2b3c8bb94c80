using System.Security.Cryptography;
using EhrShare.Infrastructure.OAuth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Web.Api;

/// <summary>Lifetimes, PKCE with S256 only, and the deployment's shared keys (<see cref="OAuthServerKeys"/>).</summary>
internal sealed class ConfigureOAuthServer(OAuthServerKeys keys, IOptions<OAuthOptions> oauth, ILogger<ConfigureOAuthServer> logger)
    : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        options.AccessTokenLifetime = oauth.Value.AccessTokenLifetime;
        options.RefreshTokenLifetime = oauth.Value.RefreshTokenLifetime;
        options.AuthorizationCodeLifetime = TimeSpan.FromMinutes(2);
        options.CodeChallengeMethods.Clear();
        options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);

        // Options are built on first use and cached; the keys are normally loaded at start already
        // (OAuthClientRegistration), so this waits only if the database was out of reach then. If it still is, the
        // options must build all the same: OpenIddict's handler looks at every request, and options that failed to
        // build would fail every request for good (the cache keeps the exception). Throwaway keys stand in; nothing
        // can be issued meanwhile (the tokens and clients are in the same database), and once the keys load
        // OAuthClientRegistration drops the cached options so they are built again with them.
        if (!keys.TryLoadedOrLoad(out var loaded))
        {
            logger.LogWarning("The OAuth server's keys are not loaded yet (the app database is out of reach); throwaway keys stand in until they are");
            loaded = (new RsaSecurityKey(RSA.Create(2048)), new RsaSecurityKey(RSA.Create(2048)));
        }

        var (signing, encryption) = loaded;
        options.SigningCredentials.Add(new SigningCredentials(signing, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
