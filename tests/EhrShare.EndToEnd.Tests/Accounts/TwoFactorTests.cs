using EhrShare.EndToEnd.Tests.Support;
using EhrShare.Testing;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Accounts;

/// <summary>
/// Two-factor sign-in as a user meets it: set up from Account security with the key the page shows (the phone's
/// authenticator app is played by <see cref="Authenticator"/>), then every sign-in asks for a code after the password.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class TwoFactorTests(EhrE2EFixture e2e)
{
    [Fact]
    public Task Doctor_SetsUpTwoFactorWithTheKeyOnThePage_ThenSignsInWithTheCodeTheAppShows() => e2e.OnEachDeviceAsync(async admin =>
    {
        await using var cast = Cast.For(e2e, admin);
        await admin.SignInAsAdminAsync();
        var doctor = await cast.ApprovedDoctorAsync(admin, "Tess");
        var d = doctor.Page;

        await d.GotoAsync("/Account/Security");
        await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("Two-factor sign-in is off.");
        await d.GetByRole(AriaRole.Link, new() { Name = "Set up two-factor authentication" }).ClickAsync();
        await Expect(d.GetByRole(AriaRole.Heading, new() { Name = "Two-factor authentication", Level = 1 })).ToBeVisibleAsync();
        await ScreenshotAsync(d, "two-factor-off");
        await d.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor sign-in" }).ClickAsync();
        await Expect(d.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" })).ToBeVisibleAsync();
        await ScreenshotAsync(d, "two-factor-set-up");
        var key = (await d.Locator("[data-authenticator-key]").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);

        await d.GetByLabel("Code from the app").FillAsync(Authenticator.CodeFor(key));
        await d.GetByRole(AriaRole.Button, new() { Name = "Confirm and turn on" }).ClickAsync();

        await Expect(d.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" })).ToBeVisibleAsync();
        await Expect(d.GetByRole(AriaRole.List, new() { Name = "Recovery codes" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(10);
        await ScreenshotAsync(d, "two-factor-recovery-codes");
        await d.GetByRole(AriaRole.Link, new() { Name = "I have kept them" }).ClickAsync();
        await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("Two-factor sign-in is on.");
        await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("10 of your recovery codes are left.");
        await ScreenshotAsync(d, "two-factor-on");

        await d.SignOutWithTheMenuAsync();
        await d.SubmitSignInAsync(doctor.Email, Pages.Password);
        await Expect(d).ToHaveURLAsync(Pages.TwoFactorSignInPage());
        await Expect(d.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(0);
        await Expect(d.GetByRole(AriaRole.Link, new() { Name = "Use a recovery code" })).ToBeVisibleAsync();
        await ScreenshotAsync(d, "two-factor-sign-in");
        await d.GetByLabel("Authentication code").FillAsync(WrongCodeFor(key));
        await d.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(d.FieldBlock("Authentication code")).ToContainTextAsync("That code is wrong or has expired");
        await ScreenshotAsync(d, "two-factor-wrong-code");

        await d.EnterTwoFactorCodeAsync(key);

        await Expect(d.GetByRole(AriaRole.Heading, new() { Name = "My patients", Level = 1 })).ToBeVisibleAsync();
        await Expect(d.GetByRole(AriaRole.Navigation)).ToContainTextAsync(doctor.Email);
        cast.AssertNoBrowserProblems();
    });

    private static string WrongCodeFor(string key)
    {
        var now = DateTime.UtcNow;
        var near = Enumerable.Range(-4, 9).Select(step => Authenticator.CodeFor(key, now.AddSeconds(30 * step))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(code => !near.Contains(code));
    }
}
