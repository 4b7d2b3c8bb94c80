using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using EhrShare.Testing;

namespace EhrShare.Web.Tests;

/// <summary>
/// A browser-like client for functional tests: keeps cookies, follows no redirects by itself, and submits forms the
/// way a browser does (reading the antiforgery token from the page).
/// </summary>
public sealed class WebSession(HttpClient client) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Client { get; } = client;

    public static WebSession For(EhrAppFactory app) =>
        new(app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
        }));

    public async Task<IHtmlDocument> GetPageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {url}: expected {expected}, got {(int)response.StatusCode} {response.StatusCode} -> {response.Headers.Location}\n{Excerpt(html)}");
        return Parser.ParseDocument(html);
    }

    /// <summary>Loads <paramref name="pageUrl"/>, fills the form (the first, or the one whose action contains
    /// <paramref name="formAction"/>) and submits it.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pageUrl, IDictionary<string, string> fields, string? formAction = null)
    {
        var page = await GetPageAsync(pageUrl);
        var form = page.Forms.FirstOrDefault(f => formAction is null || (f.Action ?? "").Contains(formAction, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No form {formAction} on {pageUrl}");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var input in form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden"))
        {
            if (!fields.ContainsKey(input.Name!))
            {
                values.Add(new(input.Name!, input.Value));
            }
        }

        values.AddRange(fields);
        var action = new Uri(new Uri(Client.BaseAddress!, pageUrl), form.GetAttribute("action") ?? pageUrl);
        return await Client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>Posts to <paramref name="url"/> with the antiforgery token taken from <paramref name="tokenPage"/>.</summary>
    public async Task<HttpResponseMessage> PostAsync(string url, IDictionary<string, string> fields, string tokenPage)
    {
        var page = await GetPageAsync(tokenPage);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"No antiforgery token on {tokenPage}");
        var values = new List<KeyValuePair<string, string>>(fields) { new("__RequestVerificationToken", token) };
        return await Client.PostAsync(url, new FormUrlEncodedContent(values));
    }

    public async Task SignInAsync(string email, string password)
    {
        using var response = await SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {email} failed: {(int)response.StatusCode}\n{Excerpt(await response.Content.ReadAsStringAsync())}");
    }

    /// <summary>
    /// Signs the seeded admin in as its owner does: the password, then the code its authenticator app would show. The
    /// first admin sign-in of a fresh stack is sent to the set-up page (required for the manager): it sets two-factor
    /// sign-in up there, signs out, and signs in with a code like every later one (<see cref="AdminAuthenticator"/>).
    /// </summary>
    public async Task SignInAsAdminAsync()
    {
        var (email, password) = TestStack.AdminCredentials();
        var (key, _) = await AdminAuthenticator.KeyOrSetUpAsync(() => FirstSignInSettingUpTwoFactorAsync(email, password, AdminAuthenticator.MissingKeyAdvice));
        await SignInWithCodeAsync(email, password, key, AdminAuthenticator.MissingKeyAdvice);
    }

    /// <summary>
    /// The first sign-in of a user who must use two-factor sign-in and has not set it up (a new manager): the password,
    /// the set-up page it leads to, then sign-out. Returns the authenticator key, for <see cref="SignInWithCodeAsync"/>.
    /// </summary>
    public async Task<string> FirstSignInSettingUpTwoFactorAsync(string email, string password, string? alreadySetUp = null)
    {
        using (var signIn = await SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password }))
        {
            if (signIn.Headers.Location?.OriginalString.Contains("/Account/TwoFactorSignIn", StringComparison.Ordinal) == true)
            {
                throw new InvalidOperationException(alreadySetUp ?? $"{email} has set up two-factor sign-in already.");
            }

            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var setUp = await SetUpTwoFactorAsync();
        using var signOut = await PostAsync("/Account/Logout", new Dictionary<string, string>(), "/Account/TwoFactor");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        return setUp.Key;
    }

    /// <summary>The password, then the code computed from <paramref name="key"/>; fails unless both are accepted.</summary>
    public async Task SignInWithCodeAsync(string email, string password, string key, string? noCodeAsked = null)
    {
        using (var response = await SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password }))
        {
            Assert.True(
                response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/Account/TwoFactorSignIn", StringComparison.Ordinal) == true,
                $"sign-in of {email}: expected the two-factor code to be asked, got {(int)response.StatusCode} -> {response.Headers.Location}. {noCodeAsked}");
        }

        using var code = await SubmitAsync("/Account/TwoFactorSignIn", new Dictionary<string, string> { ["Code"] = Authenticator.CodeFor(key) });
        Assert.True(
            code.StatusCode == HttpStatusCode.Redirect && code.Headers.Location?.OriginalString.Contains("/Account/", StringComparison.Ordinal) == false,
            $"two-factor code of {email} refused: {(int)code.StatusCode} -> {code.Headers.Location}\n{Excerpt(await code.Content.ReadAsStringAsync())}");
    }

    /// <summary>
    /// On the signed-in user's Two-factor authentication page: begins the set-up, reads the key shown for manual entry,
    /// confirms it with the code computed from it, and returns the key and the recovery codes the page shows once.
    /// </summary>
    public async Task<TwoFactorSetUp> SetUpTwoFactorAsync()
    {
        var page = await GetPageAsync("/Account/TwoFactor");
        if (page.QuerySelector("[data-authenticator-key]") is null)
        {
            using var begin = await SubmitAsync("/Account/TwoFactor", new Dictionary<string, string>(), "BeginTwoFactor");
            Assert.Equal(HttpStatusCode.Redirect, begin.StatusCode);
            page = await GetPageAsync("/Account/TwoFactor");
        }

        var key = page.QuerySelector("[data-authenticator-key]")?.TextContent.Trim()
            ?? throw new InvalidOperationException("The set-up page shows no key.");
        using var enable = await SubmitAsync("/Account/TwoFactor", new Dictionary<string, string> { ["Code"] = Authenticator.CodeFor(key) }, "EnableTwoFactor");
        var shown = await ParseAsync(enable);
        Assert.True(enable.StatusCode == HttpStatusCode.OK, $"enabling two-factor sign-in: {(int)enable.StatusCode}");
        var codes = shown.QuerySelectorAll("[data-recovery-codes] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.True(codes.Count > 0, "No recovery codes shown after enabling: " + Excerpt(shown.Body?.OuterHtml ?? ""));
        return new TwoFactorSetUp(key.Replace(" ", "", StringComparison.Ordinal), codes);
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        Parser.ParseDocument(await response.Content.ReadAsStringAsync());

    public void Dispose() => Client.Dispose();

    private static string Excerpt(string html)
    {
        var doc = Parser.ParseDocument(html);
        var text = doc.QuerySelector("main")?.TextContent ?? doc.Body?.TextContent ?? html;
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
        return text.Length > 600 ? text[..600] : text;
    }
}

/// <summary>What setting up two-factor sign-in gave: the authenticator key and the recovery codes shown once.</summary>
public sealed record TwoFactorSetUp(string Key, IReadOnlyList<string> RecoveryCodes);
