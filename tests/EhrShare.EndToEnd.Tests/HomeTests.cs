using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests;

[Collection(E2ECollection.Name)]
public sealed class HomeTests(EhrE2EFixture e2e)
{
    [Fact]
    public Task Anonymous_SeesTheWelcomePage_AndFindsSignInAndRegistrationInTheMenu() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.GotoAsync("/");

        await Expect(page).ToHaveTitleAsync("Welcome · EhrShare");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your health records, shared on your terms");
        // Bootstrap is served by the app itself (no CDN): the navbar has its colour.
        await Expect(page.Locator("nav.navbar")).ToHaveCSSAsync("background-color", "rgb(13, 110, 253)");
        await ScreenshotAsync(page, "home");

        var menu = await page.MenuAsync();
        await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ScreenshotOnPhoneAsync(page, "home-menu-open");
        await page.ClickMenuLinkAsync("Register");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register", Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "register-choice");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register as a patient" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register as a patient" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "register-patient");
        await page.GoBackAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Register as a doctor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register as a doctor" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "register-doctor");

        await page.ClickMenuLinkAsync("Sign in");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "sign-in");
    });

    [Fact]
    public Task AnUnknownAddress_ShowsAFriendlyNotFoundPage() => e2e.OnEachDeviceAsync(async page =>
    {
        var response = await page.GotoAsync("/no-such-page");

        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Home" }).Last).ToBeVisibleAsync();
        await ScreenshotAsync(page, "not-found");
    });
}
