using EhrShare.Infrastructure.OAuth;
using EhrShare.Web.Hosting;
using Microsoft.OpenApi;

namespace EhrShare.Web.Api;

/// <summary>
/// The OpenAPI description of EhrShare's HTTP API outside FHIR (the FHIR API describes itself at <c>/fhir/R4/metadata</c>):
/// the OAuth 2 token and revocation endpoints and SMART discovery, served at <see cref="Path"/>. The authorization
/// endpoint and the device pages are browser pages, not API endpoints, and are left out.
/// </summary>
public static class OpenApiModule
{
    public const string DocumentName = "oauth";
    public const string Path = "/openapi/oauth.json";

    public static IHostApplicationBuilder AddEhrOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = d => d.RelativePath is "connect/token" || d.RelativePath == SmartConfigurationEndpoint.Path[1..];
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "EhrShare OAuth 2 endpoints",
                    Version = "1",
                    Description = "Tokens for the FHIR R4 API at /fhir/R4 (its CapabilityStatement is /fhir/R4/metadata). "
                        + "Scopes (SMART v2): " + string.Join(", ", FhirScopes.All) + ". Mobile apps: authorization code with PKCE (S256) "
                        + "through /connect/authorize in a browser; gateway devices: client credentials with the secret shown once when "
                        + "the patient registers the device on the Devices page.",
                };
                document.Paths ??= [];
                document.Paths[OAuthModule.RevokePath] = new OpenApiPathItem
                {
                    Operations = new Dictionary<HttpMethod, OpenApiOperation>
                    {
                        [HttpMethod.Post] = new()
                        {
                            Summary = "Revoke an access or refresh token (RFC 7009); it stops working at once.",
                            RequestBody = Form(("token", "The token to revoke.", true), ("token_type_hint", "access_token or refresh_token.", false),
                                ("client_id", "The client the token was issued to.", true), ("client_secret", "For a device (confidential client).", false)),
                            Responses = new OpenApiResponses
                            {
                                ["200"] = new OpenApiResponse { Description = "Revoked (or already unknown: RFC 7009 answers 200 either way)." },
                                ["400"] = new OpenApiResponse { Description = "An OAuth error (RFC 6749 section 5.2) as JSON." },
                            },
                        },
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.RelativePath == "connect/token")
                {
                    operation.Summary = "Get tokens (RFC 6749): authorization_code with PKCE, refresh_token, or client_credentials for a gateway device.";
                    operation.RequestBody = Form(
                        ("grant_type", "authorization_code, refresh_token or client_credentials.", true),
                        ("code", "authorization_code: the code the redirect carried.", false),
                        ("redirect_uri", "authorization_code: the redirect URI of the authorization request.", false),
                        ("code_verifier", "authorization_code: the PKCE verifier (RFC 7636).", false),
                        ("refresh_token", "refresh_token: the refresh token.", false),
                        ("client_id", "The client: the mobile app's id, or the device's.", true),
                        ("client_secret", "client_credentials: the device's secret.", false),
                        ("scope", "Space-separated scopes; a device may ask only patient/Observation.c.", false));
                    operation.Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "access_token, token_type Bearer, expires_in, scope; refresh_token with offline_access; patient with launch/patient." },
                        ["400"] = new OpenApiResponse { Description = "An OAuth error (invalid_grant, invalid_client, invalid_scope, ...) as JSON." },
                    };
                }
                else
                {
                    operation.Summary = "SMART App Launch discovery: the endpoints, scopes, grant types and PKCE methods.";
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapEhrOpenApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        return endpoints;
    }

    private static OpenApiRequestBody Form(params (string Name, string Description, bool Required)[] fields) => new()
    {
        Required = true,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/x-www-form-urlencoded"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = fields.ToDictionary(f => f.Name, f => (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.String, Description = f.Description }),
                    Required = fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(),
                },
            },
        },
    };
}
