using System.Text.RegularExpressions;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// Finding one's way: a home page that explains the app with Sign in and Register, a favicon, the menu marking the
/// page shown, a skip link, and a record viewed inside the app's page with a Download button.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed partial class NavigationTests(EhrE2EFixture e2e)
{
    /// <summary>A valid 1×1 PNG, so the browser really draws it.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public Task TheSignedOutHome_ExplainsTheApp_WithSignInAndRegister_ASkipLink_AFavicon_AndTheMenuMarksThePage() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.GotoAsync("/");
        var main = page.GetByRole(AriaRole.Main);
        await Expect(main.GetByRole(AriaRole.Heading, new() { Name = "For patients" })).ToBeVisibleAsync();
        await Expect(main.GetByRole(AriaRole.Heading, new() { Name = "For doctors" })).ToBeVisibleAsync();
        await Expect(main.GetByRole(AriaRole.Heading, new() { Name = "How it stays private" })).ToBeVisibleAsync();
        await Expect(main.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "home-explained");

        var icon = await page.Locator("link[rel=icon]").GetAttributeAsync("href");
        var favicon = await page.APIRequest.GetAsync(icon!);
        Assert.Equal(200, favicon.Status);
        Assert.StartsWith("image/svg+xml", favicon.Headers["content-type"], StringComparison.Ordinal);

        // The first Tab reaches the skip link, which takes the keyboard past the menu.
        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeVisibleAsync();
        await ScreenshotAsync(page, "skip-link");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#main")).ToBeFocusedAsync();

        await main.GetByRole(AriaRole.Link, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register", Exact = true })).ToBeVisibleAsync();
        var menu = await page.MenuAsync();
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Register" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).Not.ToHaveAttributeAsync("aria-current", "page");
    });

    [Fact]
    public async Task APatient_ViewsARecordInsideTheApp_WithDownload_AndTheMenuMarksMyRecords()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            await Expect((await admin.MenuAsync()).GetByRole(AriaRole.Link, new() { Name = "Approvals" })).ToHaveAttributeAsync("aria-current", "page");
            var patient = await cast.ApprovedPatientAsync(admin, area, "Sam");
            var p = patient.Page;
            await p.UploadAsync("Rash photo", "rash.png", "image/png", Pixel);
            await p.UploadAsync("Discharge letter", "letter.txt", "text/plain", "Discharged home, review in 2 weeks."u8.ToArray());

            await p.RecordRow("Rash photo").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await Expect(p).ToHaveURLAsync(RecordPage());
            await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Rash photo");
            var image = p.GetByRole(AriaRole.Img, new() { Name = "Rash photo" });
            await Expect(image).ToBeVisibleAsync();
            Assert.Equal(1, await image.EvaluateAsync<int>("i => i.decode().then(() => i.naturalWidth)"));
            await Expect((await p.MenuAsync()).GetByRole(AriaRole.Link, new() { Name = "My records" })).ToHaveAttributeAsync("aria-current", "page");
            await ScreenshotAsync(p, "record-viewer-image");
            var download = await p.RunAndWaitForDownloadAsync(() => p.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
            Assert.Equal("rash.png", download.SuggestedFilename);

            await p.GetByRole(AriaRole.Link, new() { Name = "Back to my records" }).ClickAsync();
            await p.RecordRow("Discharge letter").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await Expect(p.FrameLocator("#record-view").Locator("body")).ToContainTextAsync("Discharged home, review in 2 weeks.");
            await ScreenshotAsync(p, "record-viewer-text");
            cast.AssertNoBrowserProblems();
        });
    }

    [GeneratedRegex(@"/Patient/Records/[0-9a-f-]{36}$")]
    private static partial Regex RecordPage();
}
