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

    public Task SignInAsAdminAsync()
    {
        var lines = File.ReadAllLines(Path.Combine(TestStack.StackDir, "secrets", "admin-password"));
        return SignInAsync(lines[0], lines[1]);
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
