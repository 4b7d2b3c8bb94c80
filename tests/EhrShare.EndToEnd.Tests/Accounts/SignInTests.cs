using EhrShare.EndToEnd.Tests.Support;
using EhrShare.Testing;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.EhrE2EFixture;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Accounts;

[Collection(E2ECollection.Name)]
public sealed class SignInTests(EhrE2EFixture e2e)
{
    [Fact]
    public Task Admin_SignsInWithTheSeededCredentials_SeesTheAdminMenu_AndSignsOut() => e2e.OnEachDeviceAsync(async page =>
    {
        var (email, _) = TestStack.AdminCredentials();
        await page.GotoAsync("/");
        await page.ClickMenuLinkAsync("Sign in");

        await page.SignInAsAdminAsync();

        await ScreenshotAsync(page, "admin-signed-in");
        var menu = await page.MenuAsync();
        foreach (var link in new[] { "Approvals", "Users", "Areas", "Monitor" })
        {
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = link, Exact = true })).ToBeVisibleAsync();
        }

        await Expect(menu).ToContainTextAsync(email);
        await ScreenshotOnPhoneAsync(page, "admin-menu-open");

        await page.SignOutWithTheMenuAsync();

        await Expect(page).ToHaveTitleAsync("Welcome · EhrShare");
        await ScreenshotAsync(page, "signed-out");
        var after = await page.MenuAsync();
        await Expect(after.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(after.GetByRole(AriaRole.Link, new() { Name = "Areas" })).ToHaveCountAsync(0);
    });

    [Fact]
    public Task Admin_AfterSigningIn_LandsOnTheApprovalsQueue() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.SignInAsAdminAsync();

        await Expect(page).ToHaveTitleAsync("Approvals · EhrShare");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Registrations waiting for approval");
        await ScreenshotAsync(page, "admin-approvals");
    });

    [Fact]
    public Task Anonymous_OpeningAnAdminPage_SignsInFirst_AndIsTakenBackToIt() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.GotoAsync("/Areas");

        await Expect(page).ToHaveURLAsync(Pages.LoginPage());
        await page.SignInAsAdminAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Areas", Exact = true })).ToBeVisibleAsync();
    });

    [Fact]
    public async Task Patient_SignsOutFromThePendingPage()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async page =>
        {
            await page.RegisterPatientAsync(UniqueEmail("signout"), area);

            await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are signed out.");
            var menu = await page.MenuAsync();
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task PendingPatient_SigningInAgain_LandsOnThePendingPage()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async page =>
        {
            var email = UniqueEmail("pending-again");
            await page.RegisterPatientAsync(email, area);
            await page.SignOutWithTheMenuAsync();

            await page.SubmitSignInAsync(email, Pages.Password);

            await Expect(page).ToHaveURLAsync(Pages.PendingPage());
        });
    }

    [Fact]
    public Task SignIn_WithEmptyFields_SaysWhatIsMissing() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.GotoAsync("/Account/Login");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.FieldBlock("Email")).ToContainTextAsync("Enter your email.");
        await Expect(page.FieldBlock("Password")).ToContainTextAsync("Enter your password.");
        await ScreenshotAsync(page, "sign-in-empty");
    });

    [Fact]
    public async Task FiveWrongPasswords_HoldUpThatBrowser_EvenWithTheRightPassword()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async page =>
        {
            var email = UniqueEmail("lockout");
            await page.RegisterPatientAsync(email, area);
            await page.SignOutWithTheMenuAsync();

            for (var attempt = 1; attempt <= 5; attempt++)
            {
                await page.SubmitSignInAsync(email, "Wrong-password-" + attempt);
                await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The email or password is wrong.");
                if (attempt == 1)
                {
                    await ScreenshotAsync(page, "sign-in-wrong-password");
                }
            }

            await page.SubmitSignInAsync(email, Pages.Password);

            await Expect(page).ToHaveURLAsync(Pages.LoginPage());
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Too many attempts: try again in 15 minutes. If you forgot your password, reset it.");
            await ScreenshotAsync(page, "sign-in-locked");
        });
    }
}
