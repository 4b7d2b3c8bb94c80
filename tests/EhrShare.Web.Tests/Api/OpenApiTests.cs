using System.Net;
using System.Text.Json;
using EhrShare.Web.Api;

namespace EhrShare.Web.Tests.Api;

/// <summary>The OpenAPI description of the non-FHIR API: served without a token, exactly the token, revocation and
/// discovery endpoints, the token request's form fields described.</summary>
public sealed class OpenApiTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task TheDescription_IsServed_AndListsTheTokenRevocationAndDiscoveryEndpoints()
    {
        using var client = fixture.App.CreateClient();
        using var response = await client.GetAsync(OpenApiModule.Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["/.well-known/smart-configuration", "/connect/revoke", "/connect/token"], paths);

        var token = root.GetProperty("paths").GetProperty("/connect/token").GetProperty("post");
        var form = token.GetProperty("requestBody").GetProperty("content").GetProperty("application/x-www-form-urlencoded").GetProperty("schema");
        Assert.Contains("code_verifier", form.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["client_id", "grant_type"], form.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.True(root.GetProperty("paths").GetProperty("/connect/revoke").TryGetProperty("post", out _));
        Assert.True(root.GetProperty("paths").GetProperty("/.well-known/smart-configuration").TryGetProperty("get", out _));
    }
}
