using System.Text.RegularExpressions;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Security;

/// <summary>The security headers on every kind of response, and views that keep to the content security policy.</summary>
public sealed partial class HeadersTests(PeopleFixture people) : IClassFixture<PeopleFixture>
{
    [Theory]
    [InlineData(Who.Anonymous, "/")]
    [InlineData(Who.Anonymous, "/Account/Login")]
    [InlineData(Who.Anonymous, "/no-such-page")]
    [InlineData(Who.Anonymous, "/Patient")]
    [InlineData(Who.Anonymous, "/css/site.css")]
    [InlineData(Who.Patient, "/Patient")]
    [InlineData(Who.Patient, "/Account/AccessDenied")]
    [InlineData(Who.Doctor, "/Doctor")]
    [InlineData(Who.Admin, "/Approvals")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(Who who, string url)
    {
        using var response = await people.As(who).Client.GetAsync(url);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        var csp = Directives(Header(response, "Content-Security-Policy"));
        Assert.Equal("'none'", csp["frame-ancestors"]);
        var scripts = csp.GetValueOrDefault("script-src") ?? csp["default-src"];
        Assert.DoesNotContain("'unsafe-inline'", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("*", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-inline'", csp.GetValueOrDefault("style-src") ?? csp["default-src"], StringComparison.Ordinal);
        Assert.Equal("'none'", csp["object-src"]);
    }

    /// <summary>The policy forbids inline script and inline styles, so a view that has them is broken in the browser.</summary>
    [Fact]
    public void NoView_HasInlineScriptStyleAttributesOrEventHandlers()
    {
        var views = Path.Combine(TestStack.RepoRoot, "src", "EhrShare.Web", "Views");
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(views, "*.cshtml", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var name = Path.GetRelativePath(views, file);
            problems.AddRange(InlineScript().Matches(text).Select(m => $"{name}: inline script {m.Value}"));
            problems.AddRange(StyleAttribute().Matches(text).Select(m => $"{name}: style attribute {m.Value}"));
            problems.AddRange(StyleElement().Matches(text).Select(m => $"{name}: style element"));
            problems.AddRange(EventHandler().Matches(text).Select(m => $"{name}: event handler {m.Value}"));
            problems.AddRange(JavascriptUrl().Matches(text).Select(m => $"{name}: javascript: URL"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{name} missing on {response.RequestMessage?.RequestUri} ({(int)response.StatusCode})");

    internal static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex(@"<style[\s>]", RegexOptions.IgnoreCase)]
    private static partial Regex StyleElement();

    [GeneratedRegex(@"\son[a-z]+\s*=\s*[""']", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();

    [GeneratedRegex(@"javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex JavascriptUrl();
}
