using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.EhrE2EFixture;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Accounts;

[Collection(E2ECollection.Name)]
public sealed class PatientRegistrationTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task Patient_RegistersInAnArea_AndSeesThatTheAccountIsPending()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async page =>
        {
            await page.GotoAsync("/");
            await page.ClickMenuLinkAsync("Register");
            await page.GetByRole(AriaRole.Link, new() { Name = "Register as a patient" }).ClickAsync();
            await page.FillPatientFormAsync(UniqueEmail("patient"), area);
            await ScreenshotAsync(page, "register-patient-filled");

            await page.SubmitRegistrationAsync();

            await Expect(page).ToHaveURLAsync(Pages.PendingPage());
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Thank you, Pat Example");
            await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("waiting for the administrator's approval");
            await ScreenshotAsync(page, "pending-patient");
            await page.MenuAsync();
            await ScreenshotOnPhoneAsync(page, "pending-patient-menu-open");
        });
    }

    [Fact(Skip = "Known gap, for the lead: the menu of a pending patient offers My records, Access and History (the layout checks the role, not the approval).")]
    public async Task PendingPatient_IsOfferedNoPatientPagesInTheMenu()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async page =>
        {
            await page.RegisterPatientAsync(UniqueEmail("pending-menu"), area);

            var menu = await page.MenuAsync();

            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = "My records" })).ToHaveCountAsync(0);
            await Expect(menu.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        });
    }

    /// <summary>Case name, field label, bad value, the message the user must see next to the field.</summary>
    public static TheoryData<string, string, string, string> BadInputs() => new()
    {
        { "name-missing", "Full name", "", "Enter your full name." },
        { "bad-email", "Email", "not-an-email", "Enter a valid email address." },
        { "short-password", "Password", "Short-1", "Use at least 10 characters." },
        { "password-without-upper-case", "Password", "all-lower-case-9", "uppercase" },
        { "passwords-differ", "Repeat password", "Something-else-9", "The two passwords differ." },
        { "future-birth-date", "Date of birth", "2999-01-01", "Enter a date of birth between 1900 and today." },
        { "no-area", "Area", "", "Choose your area." },
    };

    /// <summary>
    /// The form comes back with the message next to the field and what the user typed kept; correcting just that
    /// field (and typing the passwords again, which a form never echoes) registers the same email, so the refused
    /// attempt created nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Form_WithABadField_SaysWhyNextToIt_KeepsTheRest_AndCreatesNothing(string caseName, string field, string value, string message)
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(
            async page =>
            {
                var email = UniqueEmail("bad-patient");
                await page.GotoAsync("/Account/RegisterPatient");
                await page.FillPatientFormAsync(email, area);
                await page.SetFieldAsync(field, value);

                await page.SubmitRegistrationAsync();

                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register as a patient" })).ToBeVisibleAsync();
                await Expect(page.FieldBlock(field)).ToContainTextAsync(message);
                await ScreenshotAsync(page, $"register-patient-{caseName}");

                await page.SetFieldAsync(field, field switch
                {
                    "Full name" => "Pat Example",
                    "Email" => email,
                    "Date of birth" => "1980-05-17",
                    "Area" => area,
                    _ => Pages.Password,
                });
                await page.FillPasswordsAsync(Pages.Password);
                await page.SubmitRegistrationAsync();
                await Expect(page).ToHaveURLAsync(Pages.PendingPage());
            },
            caseName);
    }
}
