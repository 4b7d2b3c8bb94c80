using System.Text.RegularExpressions;
using EhrShare.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>
/// What a user does on the app's pages, found the way a user finds it: by label, role and visible name (ids only
/// where a page gives nothing better).
/// </summary>
public static partial class Pages
{
    public const string Password = "Correct-horse-9";

    /// <summary>For each step of the admin's sign-in (ms): the first one of a run sets two-factor sign-in up on a cold app.</summary>
    private const float AdminSignInTimeout = 60_000;

    /// <summary>The main menu; on a phone it is behind the "Menu" button, which this opens.</summary>
    public static async Task<ILocator> MenuAsync(this IPage page)
    {
        var toggler = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        if (await toggler.IsVisibleAsync() && await toggler.GetAttributeAsync("aria-expanded") != "true")
        {
            await toggler.ClickAsync();
            await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "true");

            // aria-expanded flips when the menu starts to open; a click during Bootstrap's transition can be lost, so
            // wait until it is open.
            await Expect(page.Locator("#main-nav")).ToHaveClassAsync(OpenMenu());
        }

        return page.GetByRole(AriaRole.Navigation);
    }

    public static async Task ClickMenuLinkAsync(this IPage page, string name)
    {
        var menu = await page.MenuAsync();
        await menu.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
    }

    /// <summary>Signs out with the menu's button; lands on the home page.</summary>
    public static async Task SignOutWithTheMenuAsync(this IPage page)
    {
        var menu = await page.MenuAsync();
        await menu.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are signed out.");
    }

    /// <summary>Fills and submits the sign-in form (does not check the outcome); <paramref name="timeout"/> in ms for the click and the pages it leads to.</summary>
    public static async Task SubmitSignInAsync(this IPage page, string email, string password, float? timeout = null)
    {
        if (!page.Url.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase))
        {
            await page.GotoAsync("/Account/Login");
        }

        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(new() { Timeout = timeout });
    }

    /// <summary>
    /// Signs the seeded admin in: the password, then the code its authenticator app would show. The first admin
    /// sign-in of a fresh stack is sent to the set-up page (two-factor sign-in is required for the manager): it sets it
    /// up there, signs out and comes back to where it was, then signs in with a code like every later one.
    /// </summary>
    public static async Task SignInAsAdminAsync(this IPage page)
    {
        var (email, password) = TestStack.AdminCredentials();
        var (key, _) = await AdminAuthenticator.KeyOrSetUpAsync(async () =>
        {
            // Often the first pages of a freshly started app, while the web tests load the machine: generous waits.
            var signInUrl = page.Url.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase) ? page.Url : null;
            await page.SubmitSignInAsync(email, password, AdminSignInTimeout);
            await page.WaitForURLAsync(TwoFactorStepPattern(), new() { Timeout = AdminSignInTimeout });
            if (page.Url.Contains("/Account/TwoFactorSignIn", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(AdminAuthenticator.MissingKeyAdvice);
            }

            var setUp = await page.SetUpTwoFactorAsync(AdminSignInTimeout);
            await page.SignOutWithTheMenuAsync();
            if (signInUrl is not null)
            {
                await page.GotoAsync(signInUrl);
            }

            return setUp;
        });
        await page.SubmitSignInAsync(email, password, AdminSignInTimeout);
        await page.EnterTwoFactorCodeAsync(key, AdminSignInTimeout);
        await Expect(page).Not.ToHaveURLAsync(LoginPage());
        await Expect(page.GetByRole(AriaRole.Navigation)).ToContainTextAsync(email);
    }

    /// <summary>Creates an area on the Areas page (the admin is signed in); returns its name.</summary>
    public static async Task<string> CreateAreaAsync(this IPage page, string name)
    {
        await page.GotoAsync("/Areas");
        await page.GetByLabel("Area name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add area" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Area '{name}' created with AID");
        return name;
    }

    /// <summary>The AID the Areas page gave a newly created area, read from its success message.</summary>
    public static async Task<int> CreatedAidAsync(this IPage page)
    {
        var message = await page.GetByRole(AriaRole.Status).InnerTextAsync();
        return int.Parse(AidPattern().Match(message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Fills the patient registration form (valid unless the caller changes a field afterwards).</summary>
    public static async Task FillPatientFormAsync(this IPage page, string email, string area)
    {
        await FillCommonAsync(page, "Pat Example", email);
        await page.GetByLabel("Area", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = area });
        await page.GetByLabel("Date of birth").FillAsync("1980-05-17");
    }

    public static async Task FillDoctorFormAsync(this IPage page, string email)
    {
        await FillCommonAsync(page, "Dr Example", email);
        await page.GetByLabel("Licence number").FillAsync("LIC-" + Guid.NewGuid().ToString("N")[..8]);
        await page.GetByLabel("Specialty").FillAsync("Cardiology");
    }

    public static async Task FillPasswordsAsync(this IPage page, string password, string? repeat = null)
    {
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Repeat password").FillAsync(repeat ?? password);
    }

    public static Task SubmitRegistrationAsync(this IPage page) =>
        page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

    /// <summary>Registers a patient through the form and waits for the pending page.</summary>
    public static async Task RegisterPatientAsync(this IPage page, string email, string area)
    {
        await page.GotoAsync("/Account/RegisterPatient");
        await page.FillPatientFormAsync(email, area);
        await page.SubmitRegistrationAsync();
        await Expect(page).ToHaveURLAsync(PendingPage());
    }

    /// <summary>
    /// Sets a form field by its label: fills a text box, picks a list option by its text ("" for none); "Password"
    /// sets both password boxes, so only the password rules are at stake.
    /// </summary>
    public static async Task SetFieldAsync(this IPage page, string label, string value)
    {
        var field = page.GetByLabel(label, new() { Exact = true });
        if (label == "Password")
        {
            await page.FillPasswordsAsync(value);
        }
        else if (await field.EvaluateAsync<string>("e => e.tagName") == "SELECT")
        {
            await field.SelectOptionAsync(value.Length == 0 ? new SelectOptionValue { Value = "" } : new SelectOptionValue { Label = value });
        }
        else
        {
            await field.FillAsync(value);
        }
    }

    /// <summary>
    /// Submits the form once per bad input, each time with every other field right: the form must come back with
    /// <see cref="BadInput.Message"/> next to the field (screenshot <c>&lt;prefix&gt;-&lt;case&gt;</c>), keeping what was
    /// typed. Then the corrected form is submitted and must lead to <paramref name="success"/>: an account with that
    /// email did not exist, so none of the refused attempts created one.
    /// </summary>
    public static async Task SubmitEachBadInputThenTheCorrectFormAsync(
        this IPage page, string heading, IEnumerable<BadInput> inputs, string screenshotPrefix, Regex success)
    {
        foreach (var input in inputs)
        {
            try
            {
                // Passwords are never echoed back: type them again, as a user must.
                await page.FillPasswordsAsync(Password);
                await page.SetFieldAsync(input.Field, input.Value);

                await page.SubmitRegistrationAsync();

                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading })).ToBeVisibleAsync();
                await Expect(page.FieldBlock(input.Field)).ToContainTextAsync(input.Message);
                await Screenshots.ScreenshotAsync(page, $"{screenshotPrefix}-{input.Case}");
                await page.SetFieldAsync(input.Field, input.GoodValue);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                throw new InvalidOperationException($"Bad input '{input.Case}' ({input.Field} = '{input.Value}'): {e.Message}", e);
            }
        }

        await page.FillPasswordsAsync(Password);
        await page.SubmitRegistrationAsync();
        await Expect(page).ToHaveURLAsync(success);
    }

    /// <summary>The field's own block (label, input, message): where its validation message must appear.</summary>
    public static ILocator FieldBlock(this IPage page, string label) =>
        page.Locator("form div").Filter(new() { Has = page.GetByLabel(label, new() { Exact = true }) }).Last;

    public static Regex LoginPage() => LoginPattern();

    public static Regex PendingPage() => PendingPattern();

    private static async Task FillCommonAsync(IPage page, string name, string email)
    {
        await page.GetByLabel("Full name").FillAsync(name);
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.FillPasswordsAsync(Password);
    }

    [GeneratedRegex(@"with AID (\d+)")]
    private static partial Regex AidPattern();

    [GeneratedRegex(@"/Account/Login")]
    private static partial Regex LoginPattern();

    [GeneratedRegex(@"/Account/TwoFactor(SignIn)?(\?|$)")]
    private static partial Regex TwoFactorStepPattern();

    [GeneratedRegex(@"/Account/Pending$")]
    private static partial Regex PendingPattern();

    // Bootstrap adds "show" once the transition has ended (while it runs the class is "collapsing").
    [GeneratedRegex(@"(^|\s)show(\s|$)")]
    private static partial Regex OpenMenu();
}

/// <summary>One wrong value for a form field, the message the user must see next to it, and the value that fixes it.</summary>
public sealed record BadInput(string Case, string Field, string Value, string Message, string GoodValue);
