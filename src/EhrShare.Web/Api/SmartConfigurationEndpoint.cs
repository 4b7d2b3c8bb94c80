using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Hosting;

namespace EhrShare.Web.Api;

/// <summary>SMART App Launch discovery (<c>/.well-known/smart-configuration</c>): where to authorize, get and revoke
/// tokens, and what this server supports. OpenIddict serves the OAuth metadata at
/// <c>/.well-known/openid-configuration</c>.</summary>
public static class SmartConfigurationEndpoint
{
    public const string Path = "/.well-known/smart-configuration";

    public static IEndpointRouteBuilder MapSmartConfiguration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext http) =>
        {
            var issuer = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = issuer + "/",
                ["authorization_endpoint"] = issuer + OAuthModule.AuthorizePath,
                ["token_endpoint"] = issuer + OAuthModule.TokenPath,
                ["revocation_endpoint"] = issuer + OAuthModule.RevokePath,
                ["grant_types_supported"] = new[] { "authorization_code", "refresh_token", "client_credentials" },
                ["response_types_supported"] = new[] { "code" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
                ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
                ["scopes_supported"] = FhirScopes.All,
                ["capabilities"] = new[]
                {
                    "launch-standalone", "client-public", "client-confidential-symmetric",
                    "context-standalone-patient", "permission-offline", "permission-patient", "permission-user", "permission-v2",
                },
            });
        }).AllowAnonymous();
        return endpoints;
    }
}
