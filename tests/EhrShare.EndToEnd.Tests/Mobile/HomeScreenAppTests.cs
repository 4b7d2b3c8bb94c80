using System.Text.Json;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Mobile;

/// <summary>
/// The web app on a phone's home screen: the manifest and its icons load, the service worker installs and controls the
/// pages, and without a network a page shows the offline page, never a cached page or record: the worker's cache holds
/// only the offline page and its static files, whatever pages and records were opened before.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class HomeScreenAppTests(EhrE2EFixture e2e)
{
    private static readonly string[] Precached =
        ["/css/site.css", "/favicon.svg", "/icons/icon-192.png", "/lib/bootstrap/css/bootstrap.min.css", "/offline.html"];

    [Fact]
    public async Task TheManifestAndServiceWorkerLoad_AndOfflineAPageOrARecordShowsTheOfflinePage_NotACopy()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = new Cast(e2e, DeviceOf(admin)) { ServiceWorkers = true };
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area);
            var p = patient.Page;

            // The manifest, named by every page, and the icons it names.
            await p.GotoAsync("/");
            var manifestUrl = await p.Locator("link[rel=manifest]").GetAttributeAsync("href");
            var manifest = await p.APIRequest.GetAsync(manifestUrl!);
            Assert.Equal(200, manifest.Status);
            Assert.StartsWith("application/manifest+json", manifest.Headers["content-type"], StringComparison.Ordinal);
            var json = JsonDocument.Parse(await manifest.TextAsync()).RootElement;
            Assert.Equal("EhrShare", json.GetProperty("name").GetString());
            Assert.Equal("standalone", json.GetProperty("display").GetString());
            var icons = json.GetProperty("icons").EnumerateArray().ToList();
            Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "512x512" && i.GetProperty("purpose").GetString() == "maskable");
            foreach (var icon in icons)
            {
                var image = await p.APIRequest.GetAsync(icon.GetProperty("src").GetString()!);
                Assert.Equal(200, image.Status);
                Assert.Equal(icon.GetProperty("type").GetString(), image.Headers["content-type"]);
            }

            // The service worker installs and takes control; its cache holds the offline page and its files only.
            Assert.Equal("activated", await p.EvaluateAsync<string>("() => navigator.serviceWorker.ready.then(r => r.active.state)"));
            await p.ReloadAsync();
            Assert.True(await p.EvaluateAsync<bool>("() => navigator.serviceWorker.controller !== null"), "the page is not controlled by the service worker");
            Assert.Equal(Precached, await CachedPathsAsync(p));

            // The patient's pages and a record, opened while online, come from the network and are not cached.
            await p.UploadAsync("Allergy letter", "allergy.txt", "text/plain", "Penicillin allergy"u8.ToArray());
            var recordPage = await p.RecordRow("Allergy letter").GetByRole(AriaRole.Link, new() { Name = "View" }).GetAttributeAsync("href");
            var online = await p.GotoAsync(recordPage!);
            Assert.Equal(200, online!.Status);
            await Expect(p.GetByRole(AriaRole.Main)).ToContainTextAsync("Allergy letter");
            var content = await p.GotoAsync(recordPage + "/View");
            Assert.Equal("Penicillin allergy", await content!.TextAsync());
            await p.GotoAsync("/Patient"); // the record's content is sandboxed (an opaque origin, no CacheStorage)
            Assert.Equal(Precached, await CachedPathsAsync(p));

            await p.Context.SetOfflineAsync(true);
            try
            {
                foreach (var url in new[] { "/Patient", recordPage!, recordPage + "/View" })
                {
                    var offline = await p.GotoAsync(url);
                    Assert.True(offline!.FromServiceWorker, $"{url} offline was not answered by the service worker");
                    await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("EhrShare needs the network");
                    await Expect(p.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("Allergy letter");
                    await Expect(p.Locator("body")).Not.ToContainTextAsync("Penicillin");
                }

                await ScreenshotAsync(p, "offline");
                await p.AssertAccessibleAsync("the offline page");
                Assert.Equal(Precached, await CachedPathsAsync(p));
            }
            finally
            {
                await p.Context.SetOfflineAsync(false);
            }

            // Back online the same address is the record again, from the server.
            var again = await p.GotoAsync(recordPage!);
            Assert.Equal(200, again!.Status);
            await Expect(p.GetByRole(AriaRole.Main)).ToContainTextAsync("Allergy letter");
            cast.AssertNoBrowserProblems();
        });
    }

    /// <summary>Every URL path in every cache the origin's pages and workers can see (CacheStorage).</summary>
    private static async Task<string[]> CachedPathsAsync(IPage page) =>
        (await page.EvaluateAsync<string[]>("""
            async () => {
                const paths = [];
                for (const name of await caches.keys()) {
                    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
                }
                return paths;
            }
            """)).Order(StringComparer.Ordinal).ToArray();
}
