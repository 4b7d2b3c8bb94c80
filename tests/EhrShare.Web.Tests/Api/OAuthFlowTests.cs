using System.Net;
using System.Text.Json;
using EhrShare.Web.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace EhrShare.Web.Tests.Api;

/// <summary>
/// The OAuth 2 server behind the FHIR API: a public mobile client gets tokens with the authorization code flow and
/// PKCE through the app's own sign-in (two-factor step included) and a consent page; refresh, revocation and expiry;
/// discovery; and tokens opened by another instance of the app.
/// </summary>
public sealed class OAuthFlowTests(OAuthFlowTests.Fixture fixture) : IClassFixture<OAuthFlowTests.Fixture>
{
    /// <summary>The app, with the OAuth server's clock movable so a token can expire without waiting.</summary>
    public sealed class Fixture : IAsyncDisposable
    {
        public ShiftedTime Clock { get; } = new();

        public EhrAppFactory App { get; }

        public Fixture()
        {
            var clock = Clock;
            App = new EhrAppFactory(testServices: services =>
            {
                services.Configure<OpenIddictServerOptions>(o => o.TimeProvider = clock);
                services.Configure<OpenIddictValidationOptions>(o => o.TimeProvider = clock);
            });
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task CodeWithPkce_ThroughSignInAndConsent_GivesAccessAndRefreshTokens_NamingThePatient()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var browser = WebSession.For(fixture.App);
        var (verifier, challenge) = OAuthSteps.Pkce();

        var consent = await OAuthSteps.SignInToConsentAsync(browser,
            OAuthSteps.AuthorizeUrl("patient/*.rs launch/patient offline_access", challenge, "state-1"), patient.Email, World.Password);
        Assert.Equal("EhrShare mobile app", consent.QuerySelector("#consent-app")!.TextContent);
        Assert.Equal(["patient/*.rs", "launch/patient", "offline_access"],
            consent.QuerySelectorAll("#consent-scopes li").Select(li => li.GetAttribute("data-scope")));

        var redirect = await OAuthSteps.AnswerConsentAsync(browser, consent, "allow");
        Assert.StartsWith(OAuthSteps.RedirectUri, redirect.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(redirect.Query);
        Assert.Equal("state-1", query["state"]);

        using var client = fixture.App.CreateClient();
        var (status, tokens) = await OAuthSteps.ExchangeCodeAsync(client, query["code"]!, verifier);
        Assert.True(status == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.Equal(patient.Id, tokens.GetProperty("patient").GetString());
        Assert.True(tokens.GetProperty("expires_in").GetInt32() is > 0 and <= 900);
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await PatientReadStatusAsync(client, patient.Id, access));

        var (refreshed, renewed) = await OAuthSteps.RefreshAsync(client, tokens.GetProperty("refresh_token").GetString()!);
        Assert.True(refreshed == HttpStatusCode.OK, renewed.ToString());
        Assert.Equal(HttpStatusCode.OK, await PatientReadStatusAsync(client, patient.Id, renewed.GetProperty("access_token").GetString()!));

        // The code works once; a replay revokes what it gave.
        var (again, _) = await OAuthSteps.ExchangeCodeAsync(client, query["code"]!, verifier);
        Assert.Equal(HttpStatusCode.BadRequest, again);
        Assert.Equal(HttpStatusCode.Unauthorized, await PatientReadStatusAsync(client, patient.Id, renewed.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task TheCode_WithAWrongVerifier_OrNone_IsRefused_AndPlainChallengesAreNotAccepted()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var browser = WebSession.For(fixture.App);
        using var client = fixture.App.CreateClient();
        var (_, challenge) = OAuthSteps.Pkce();
        var consent = await OAuthSteps.SignInToConsentAsync(browser, OAuthSteps.AuthorizeUrl("patient/*.rs", challenge, "s"), patient.Email, World.Password);
        var code = QueryHelpers.ParseQuery((await OAuthSteps.AnswerConsentAsync(browser, consent, "allow")).Query)["code"]!;

        var (wrong, error) = await OAuthSteps.ExchangeCodeAsync(client, code!, OAuthSteps.Pkce().Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, wrong);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
        var (none, _) = await OAuthSteps.ExchangeCodeAsync(client, code!, null);
        Assert.Equal(HttpStatusCode.BadRequest, none);

        // Signed in already: the plain method is refused outright (400, no consent page, no redirect).
        using var plain = await browser.Client.GetAsync(OAuthSteps.AuthorizeUrl("patient/*.rs", "a-plain-challenge-that-is-long-enough-to-count-0123456789", "s", "plain"));
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Null(plain.Headers.Location);
    }

    [Fact]
    public async Task Declining_SendsTheAppAccessDenied()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var browser = WebSession.For(fixture.App);
        var consent = await OAuthSteps.SignInToConsentAsync(browser, OAuthSteps.AuthorizeUrl("patient/*.rs", OAuthSteps.Pkce().Challenge, "s"), patient.Email, World.Password);

        var redirect = await OAuthSteps.AnswerConsentAsync(browser, consent, "deny");

        var query = QueryHelpers.ParseQuery(redirect.Query);
        Assert.Equal("access_denied", query["error"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task ADoctorWithTwoFactorSignIn_GivesTheCode_AndIsOfferedOnlyUserScopes()
    {
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        string key;
        using (var settingUp = WebSession.For(fixture.App))
        {
            await settingUp.SignInAsync(doctor.Email, World.Password);
            key = (await settingUp.SetUpTwoFactorAsync()).Key;
        }

        using var browser = WebSession.For(fixture.App);
        var consent = await OAuthSteps.SignInToConsentAsync(browser,
            OAuthSteps.AuthorizeUrl("user/*.rs patient/*.rs launch/patient", OAuthSteps.Pkce().Challenge, "s"), doctor.Email, World.Password, key);

        Assert.Equal(["user/*.rs"], consent.QuerySelectorAll("#consent-scopes li").Select(li => li.GetAttribute("data-scope")));
        Assert.Equal(["patient/*.rs", "launch/patient"], consent.QuerySelectorAll("#consent-withheld li").Select(li => li.GetAttribute("data-scope")));
    }

    [Fact]
    public async Task RevokedTokens_StopWorkingAtOnce()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs offline_access");
        using var client = fixture.App.CreateClient();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await PatientReadStatusAsync(client, patient.Id, access));

        Assert.Equal(HttpStatusCode.OK, await OAuthSteps.RevokeAsync(client, access));
        Assert.Equal(HttpStatusCode.OK, await OAuthSteps.RevokeAsync(client, refresh));

        using (var request = OAuthSteps.Bearer(HttpMethod.Get, $"/fhir/R4/Patient/{patient.Id}", access))
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
            var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        }

        var (status, error) = await OAuthSteps.RefreshAsync(client, refresh);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnExpiredAccessToken_Gets401()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs");
        using var client = fixture.App.CreateClient();
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await PatientReadStatusAsync(client, patient.Id, access));

        fixture.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PatientReadStatusAsync(client, patient.Id, access));
        }
        finally
        {
            fixture.Clock.Advance(-TimeSpan.FromMinutes(16));
        }
    }

    [Fact]
    public async Task SmartConfiguration_NamesTheEndpoints_TheScopes_AndS256()
    {
        using var client = fixture.App.CreateClient();
        var config = JsonDocument.Parse(await client.GetStringAsync("/.well-known/smart-configuration")).RootElement;

        Assert.EndsWith("/connect/authorize", config.GetProperty("authorization_endpoint").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/connect/token", config.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/connect/revoke", config.GetProperty("revocation_endpoint").GetString(), StringComparison.Ordinal);
        Assert.Equal(["S256"], config.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["patient/*.rs", "patient/Observation.c", "patient/Consent.cu", "user/*.rs", "launch/patient", "offline_access"],
            config.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        var openid = JsonDocument.Parse(await client.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.Equal(config.GetProperty("token_endpoint").GetString(), openid.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task ATokenIssuedByOneInstance_IsAcceptedByAnother()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs");
        await using var other = new EhrAppFactory();
        using var client = other.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await PatientReadStatusAsync(client, patient.Id, tokens.GetProperty("access_token").GetString()!));
    }

    private static async Task<HttpStatusCode> PatientReadStatusAsync(HttpClient client, string patientId, string accessToken)
    {
        using var request = OAuthSteps.Bearer(HttpMethod.Get, $"/fhir/R4/Patient/{patientId}", accessToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
