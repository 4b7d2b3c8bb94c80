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
    /// <paramref name="timeout"/> (ms) bounds each step; the context's and assertions' defaults without it.
    /// </summary>
    public static async Task<string> SetUpTwoFactorAsync(this IPage page, float? timeout = null)
    {
        if (!TwoFactorPattern().IsMatch(page.Url))
        {
            await page.GotoAsync("/Account/TwoFactor", new() { Timeout = timeout });
        }

        var begin = page.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor sign-in" });
        var key = page.Locator("[data-authenticator-key]");
        await Expect(begin.Or(key)).ToBeVisibleAsync(new() { Timeout = timeout });
        if (await begin.IsVisibleAsync())
        {
            await begin.ClickAsync(new() { Timeout = timeout });
        }

        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" })).ToBeVisibleAsync(new() { Timeout = timeout });
        var typed = (await key.InnerTextAsync(new() { Timeout = timeout })).Replace(" ", "", StringComparison.Ordinal);
        await page.GetByLabel("Code from the app").FillAsync(Authenticator.CodeFor(typed), new() { Timeout = timeout });
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and turn on" }).ClickAsync(new() { Timeout = timeout });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" })).ToBeVisibleAsync(new() { Timeout = timeout });
        return typed;
    }

    /// <summary>On the code step of signing in: enters the code computed from <paramref name="key"/> and submits it.</summary>
    public static async Task EnterTwoFactorCodeAsync(this IPage page, string key, float? timeout = null)
    {
        await Expect(page).ToHaveURLAsync(TwoFactorSignInPage(), new() { Timeout = timeout });
        await page.GetByLabel("Authentication code").FillAsync(Authenticator.CodeFor(key), new() { Timeout = timeout });
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync(new() { Timeout = timeout });
        await Expect(page).Not.ToHaveURLAsync(TwoFactorSignInPage(), new() { Timeout = timeout });
    }

    public static Regex TwoFactorSignInPage() => TwoFactorSignInPattern();

    [GeneratedRegex(@"/Account/TwoFactor(\?|$)")]
    private static partial Regex TwoFactorPattern();

    [GeneratedRegex(@"/Account/TwoFactorSignIn")]
    private static partial Regex TwoFactorSignInPattern();
}
