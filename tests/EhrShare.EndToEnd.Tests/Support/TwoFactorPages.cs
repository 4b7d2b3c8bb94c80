using System.Text.RegularExpressions;
using EhrShare.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>Two-factor sign-in as a user does it, the phone's authenticator app played by <see cref="Authenticator"/>.</summary>
public static partial class Pages
{
    /// <summary>
    /// On the Two-factor authentication page (opened if the page is elsewhere): begins the set-up, reads the key
    /// shown for typing into a phone, enters the code computed from it, and waits for the recovery codes. Returns the key.
    /// </summary>
    public static async Task<string> SetUpTwoFactorAsync(this IPage page)
    {
        if (!TwoFactorPattern().IsMatch(page.Url))
        {
            await page.GotoAsync("/Account/TwoFactor");
        }

        var begin = page.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor sign-in" });
        var key = page.Locator("[data-authenticator-key]");
        await Expect(begin.Or(key)).ToBeVisibleAsync();
        if (await begin.IsVisibleAsync())
        {
            await begin.ClickAsync();
        }

        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" })).ToBeVisibleAsync();
        var typed = (await key.InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await page.GetByLabel("Code from the app").FillAsync(Authenticator.CodeFor(typed));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and turn on" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" })).ToBeVisibleAsync();
        return typed;
    }

    /// <summary>On the code step of signing in: enters the code computed from <paramref name="key"/> and submits it.</summary>
    public static async Task EnterTwoFactorCodeAsync(this IPage page, string key)
    {
        await Expect(page).ToHaveURLAsync(TwoFactorSignInPage());
        await page.GetByLabel("Authentication code").FillAsync(Authenticator.CodeFor(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(TwoFactorSignInPage());
    }

    public static Regex TwoFactorSignInPage() => TwoFactorSignInPattern();

    [GeneratedRegex(@"/Account/TwoFactor(\?|$)")]
    private static partial Regex TwoFactorPattern();

    [GeneratedRegex(@"/Account/TwoFactorSignIn")]
    private static partial Regex TwoFactorSignInPattern();
}
