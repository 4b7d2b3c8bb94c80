using EhrShare.Infrastructure.OAuth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EhrShare.Web.Api;

/// <summary>Lifetimes, PKCE with S256 only, and the deployment's shared keys (<see cref="OAuthServerKeys"/>).</summary>
internal sealed class ConfigureOAuthServer(OAuthServerKeys keys, IOptions<OAuthOptions> oauth) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        options.AccessTokenLifetime = oauth.Value.AccessTokenLifetime;
        options.RefreshTokenLifetime = oauth.Value.RefreshTokenLifetime;
        options.AuthorizationCodeLifetime = TimeSpan.FromMinutes(2);
        options.CodeChallengeMethods.Clear();
        options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);

        // Options are built once per process, on first use; the keys are normally loaded at start already
        // (OAuthClientRegistration), so this waits only if the database was out of reach then.
        var (signing, encryption) = keys.LoadedOrLoad();
        options.SigningCredentials.Add(new SigningCredentials(signing, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
