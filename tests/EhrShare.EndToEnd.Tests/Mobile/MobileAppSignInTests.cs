using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Mobile;

/// <summary>
/// A mobile app connects as the OAuth authorization-code flow with PKCE has it: it opens the authorize URL in the
/// browser, the user signs in on EhrShare's own login page (with the two-factor step, as this patient has it) and
/// allows the app on the consent page; the app catches the redirect, exchanges the code with its verifier at the token
/// endpoint (plain HTTP, no browser) and reads the FHIR API with the token.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class MobileAppSignInTests(EhrE2EFixture e2e)
{
    private const string ClientId = "ehrshare-mobile";
    private const string RedirectUri = "http://127.0.0.1/oauth/callback";

    [Fact]
    public async Task AuthorizationCodeWithPkce_ThroughTheRealLoginTwoFactorAndConsentPages_GivesATokenThatReadsThePatient()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area);
            var p = patient.Page;
            await p.SubmitSignInAsync(patient.Email, Pages.Password);
            var key = await p.SetUpTwoFactorAsync();
            await p.SignOutWithTheMenuAsync();

            // The app: a random verifier, its S256 challenge, a state to match on the way back.
            var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
            var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            var state = Base64Url(RandomNumberGenerator.GetBytes(16));
            var authorize = "/connect/authorize?" + string.Join("&", new Dictionary<string, string>
            {
                ["client_id"] = ClientId,
                ["response_type"] = "code",
                ["redirect_uri"] = RedirectUri,
                ["scope"] = "launch/patient patient/*.rs offline_access",
                ["state"] = state,
                ["code_challenge"] = challenge,
                ["code_challenge_method"] = "S256",
            }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));

            await p.GotoAsync(authorize);
            await Expect(p).ToHaveURLAsync(Pages.LoginPage());
            await ScreenshotAsync(p, "oauth-login");
            await p.SubmitSignInAsync(patient.Email, Pages.Password);
            await p.EnterTwoFactorCodeAsync(key);
            await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Connect EhrShare mobile app?");
            await Expect(p.Locator("#consent-scopes")).ToContainTextAsync("patient/*.rs");
            await Expect(p.Locator("#consent-scopes")).ToContainTextAsync("offline_access");
            await p.AssertAccessibleAsync("the consent page");
            await ScreenshotAsync(p, "oauth-consent");

            // The app catches the redirect to its redirect URI (a phone hands it to the app; nothing listens here).
            var redirected = p.WaitForRequestAsync(r => r.Url.StartsWith(RedirectUri + "?", StringComparison.Ordinal));
            await p.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
            var callback = new Uri((await redirected).Url);
            var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
            Assert.Equal(state, query["state"]);
            var code = query["code"];
            Assert.False(string.IsNullOrEmpty(code), callback.ToString());

            using var http = new HttpClient { BaseAddress = e2e.App.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var tokens = await TokenAsync(http, code!, verifier);
            Assert.True(tokens.TryGetProperty("access_token", out var accessToken), tokens.ToString());
            Assert.True(tokens.TryGetProperty("refresh_token", out _), "offline_access gives a refresh token");
            var patientId = tokens.GetProperty("patient").GetString();

            using var read = new HttpRequestMessage(HttpMethod.Get, "/fhir/R4/Patient");
            read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.GetString());
            read.Headers.Accept.ParseAdd("application/fhir+json");
            using var response = await http.SendAsync(read);
            var bundle = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.IsSuccessStatusCode, bundle.ToString());
            var found = Assert.Single(bundle.GetProperty("entry").EnumerateArray()).GetProperty("resource");
            Assert.Equal(patientId, found.GetProperty("id").GetString());
            Assert.Contains(found.GetProperty("identifier").EnumerateArray(), i => i.GetProperty("value").GetString() == patient.Address);
            cast.AssertNoBrowserProblems();
        });
    }

    /// <summary>The token endpoint's answer to a code exchange (a success or an OAuth error), as the app posts it.</summary>
    private static async Task<JsonElement> TokenAsync(HttpClient http, string code, string verifier)
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = ClientId,
            ["code_verifier"] = verifier,
        }));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
