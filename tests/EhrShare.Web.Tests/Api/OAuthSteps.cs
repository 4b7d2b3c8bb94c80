using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using EhrShare.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace EhrShare.Web.Tests.Api;

/// <summary>What a mobile app does over OAuth 2: the authorization code flow with PKCE through the app's real sign-in
/// and consent pages (driven as a browser would, in a <see cref="WebSession"/>), and the token endpoint.</summary>
public static class OAuthSteps
{
    public const string ClientId = "ehrshare-mobile";
    public const string RedirectUri = "http://127.0.0.1/oauth/callback";

    /// <summary>A PKCE pair (RFC 7636): a random verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeUrl(string scope, string challenge, string state, string method = "S256") =>
        QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = scope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
        });

    /// <summary>Opens the authorization URL in a session not yet signed in, signs in on the login page it is sent to
    /// (with <paramref name="twoFactorKey"/>'s code when the account asks for one) and returns the consent page.</summary>
    public static async Task<IHtmlDocument> SignInToConsentAsync(WebSession browser, string authorizeUrl, string email, string password, string? twoFactorKey = null)
    {
        using var start = await browser.Client.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var login = start.Headers.Location!.OriginalString;
        Assert.Contains("/Account/Login", login, StringComparison.Ordinal);

        using var signIn = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var next = signIn.Headers.Location!.OriginalString;
        if (next.Contains("/Account/TwoFactorSignIn", StringComparison.Ordinal))
        {
            Assert.NotNull(twoFactorKey);
            using var code = await browser.SubmitAsync(next, new Dictionary<string, string> { ["Code"] = Authenticator.CodeFor(twoFactorKey) });
            Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
            next = code.Headers.Location!.OriginalString;
        }

        Assert.StartsWith("/connect/authorize", next, StringComparison.Ordinal);
        return await browser.GetPageAsync(next);
    }

    /// <summary>Answers the consent page; returns where the browser is sent (the app's redirect URI).</summary>
    public static async Task<Uri> AnswerConsentAsync(WebSession browser, IHtmlDocument consent, string decision)
    {
        var form = (IHtmlFormElement)consent.QuerySelector("#consent-form")!;
        var values = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden")
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        values.Add(new("decision", decision));
        using var response = await browser.Client.PostAsync("/connect/authorize", new FormUrlEncodedContent(values));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"consent answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!;
    }

    /// <summary>The whole flow for a user without two-factor sign-in: returns the token response.</summary>
    public static async Task<JsonElement> SignInAndAllowAsync(EhrAppFactory app, string email, string scope)
    {
        using var browser = WebSession.For(app);
        var (verifier, challenge) = Pkce();
        var consent = await SignInToConsentAsync(browser, AuthorizeUrl(scope, challenge, "s1"), email, World.Password);
        var redirect = await AnswerConsentAsync(browser, consent, "allow");
        var code = QueryHelpers.ParseQuery(redirect.Query)["code"].ToString();
        using var client = app.CreateClient();
        var (status, body) = await ExchangeCodeAsync(client, code, verifier);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> ExchangeCodeAsync(HttpClient client, string code, string? verifier) =>
        PostTokenAsync(client, new Dictionary<string, string?>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = ClientId,
            ["code_verifier"] = verifier,
        });

    public static Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(HttpClient client, string refreshToken) =>
        PostTokenAsync(client, new Dictionary<string, string?>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = ClientId,
        });

    public static Task<(HttpStatusCode Status, JsonElement Body)> ClientCredentialsAsync(HttpClient client, string clientId, string secret, string? scope = null) =>
        PostTokenAsync(client, new Dictionary<string, string?>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        });

    public static async Task<HttpStatusCode> RevokeAsync(HttpClient client, string token, string? clientId = ClientId)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["client_id"] = clientId! });
        using var response = await client.PostAsync("/connect/revoke", content);
        return response.StatusCode;
    }

    public static HttpRequestMessage Bearer(HttpMethod method, string url, string accessToken)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.ParseAdd("application/fhir+json");
        return request;
    }

    private static async Task<(HttpStatusCode, JsonElement)> PostTokenAsync(HttpClient client, Dictionary<string, string?> fields)
    {
        using var content = new FormUrlEncodedContent(fields.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Key, f.Value!)));
        using var response = await client.PostAsync("/connect/token", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
