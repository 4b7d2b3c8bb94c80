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

    [Fact]
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

    /// <summary>
    /// A user who makes each mistake in turn is told what is wrong next to the field each time, keeps what they typed,
    /// and registers once it is right, with the same email: the refused attempts created nothing. (The functional
    /// tests check each case against the database; this one checks what the user sees, on both screens.)
    /// </summary>
    [Fact]
    public async Task Form_RefusesEachBadField_WithAMessageNextToIt_ThenRegistersTheCorrectedForm()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async page =>
        {
            var email = UniqueEmail("bad-patient");
            await page.GotoAsync("/Account/RegisterPatient");
            await page.FillPatientFormAsync(email, area);

            await page.SubmitEachBadInputThenTheCorrectFormAsync(
                "Register as a patient",
                [
                    new("name-missing", "Full name", "", "Enter your full name.", "Pat Example"),
                    new("bad-email", "Email", "not-an-email", "Enter a valid email address.", email),
                    new("short-password", "Password", "Short-1", "Use at least 12 characters.", Pages.Password),
                    new("password-without-upper-case", "Password", "all-lower-case-9", "uppercase", Pages.Password),
                    new("common-password", "Password", "Password1234!", "too common", Pages.Password),
                    new("passwords-differ", "Repeat password", "Something-else-9", "The two passwords differ.", Pages.Password),
                    new("future-birth-date", "Date of birth", "2999-01-01", "Enter a date of birth between 1900 and today.", "1980-05-17"),
                    new("no-area", "Area", "", "Choose your area.", area),
                ],
                "register-patient",
                Pages.PendingPage());
        });
    }
}
