using System.Text.RegularExpressions;
using EhrShare.EndToEnd.Tests.Support;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// The stylesheets and scripts a page names are versioned URLs (the file's hash), sent Brotli or gzip compressed as the browser
/// accepts, and cached for a year (a new version gets a new URL).
/// </summary>
[Collection(E2ECollection.Name)]
public sealed partial class StaticAssetTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task EveryStylesheetAndScript_IsVersioned_Compressed_AndCachedForAYear()
    {
        await using var context = await e2e.NewContextAsync(Device.Desktop);
        var page = await EhrE2EFixture.NewPageAsync(context, Device.Desktop);
        await page.GotoAsync("/");
        var urls = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')].map(e => e.getAttribute('href') || e.getAttribute('src'))");
        Assert.Contains(urls, u => u.Contains("bootstrap.min", StringComparison.Ordinal));
        Assert.Contains(urls, u => u.Contains("site", StringComparison.Ordinal));

        foreach (var url in urls)
        {
            Assert.Matches(Versioned(), url);
            foreach (var encoding in new[] { "br", "gzip" })
            {
                var response = await page.APIRequest.GetAsync(url, new() { Headers = new Dictionary<string, string> { ["Accept-Encoding"] = encoding } });
                Assert.Equal(200, response.Status);
                Assert.Equal(encoding, response.Headers.GetValueOrDefault("content-encoding"));
                Assert.Contains("max-age=31536000", response.Headers["cache-control"], StringComparison.Ordinal);
                Assert.Contains("immutable", response.Headers["cache-control"], StringComparison.Ordinal);
            }
        }

        // The page itself still works with them: Bootstrap's navbar colour.
        Assert.Equal("rgb(13, 110, 253)", await page.Locator("nav.navbar").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
    }

    // /css/site.css?v={hash}: the file's content hash (asp-append-version), a new URL when the file changes.
    [GeneratedRegex(@"\.(css|js)\?v=[A-Za-z0-9_-]{20,}$")]
    private static partial Regex Versioned();
}
