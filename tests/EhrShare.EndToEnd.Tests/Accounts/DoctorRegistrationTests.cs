using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.EhrE2EFixture;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Accounts;

[Collection(E2ECollection.Name)]
public sealed class DoctorRegistrationTests(EhrE2EFixture e2e)
{
    [Fact]
    public Task Doctor_Registers_AndSeesThatTheAccountIsPending() => e2e.OnEachDeviceAsync(async page =>
    {
        await page.GotoAsync("/Account/Register");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register as a doctor" }).ClickAsync();
        await page.FillDoctorFormAsync(UniqueEmail("doctor"));
        await ScreenshotAsync(page, "register-doctor-filled");

        await page.SubmitRegistrationAsync();

        await Expect(page).ToHaveURLAsync(Pages.PendingPage());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Thank you, Dr Example");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("waiting for the administrator's approval");
        await ScreenshotAsync(page, "pending-doctor");
    });

    /// <summary>As for patients: each mistake in turn, then the corrected form registers the same email.</summary>
    [Fact]
    public Task Form_RefusesEachBadField_WithAMessageNextToIt_ThenRegistersTheCorrectedForm() => e2e.OnEachDeviceAsync(async page =>
    {
        var email = UniqueEmail("bad-doctor");
        await page.GotoAsync("/Account/RegisterDoctor");
        await page.FillDoctorFormAsync(email);

        await page.SubmitEachBadInputThenTheCorrectFormAsync(
            "Register as a doctor",
            [
                new("name-missing", "Full name", "", "Enter your full name.", "Dr Example"),
                new("bad-email", "Email", "someone@", "Enter a valid email address.", email),
                new("short-password", "Password", "Short-1", "Use at least 12 characters.", Pages.Password),
                new("passwords-differ", "Repeat password", "Something-else-9", "The two passwords differ.", Pages.Password),
                new("licence-missing", "Licence number", "", "Enter your licence number.", "LIC-" + Guid.NewGuid().ToString("N")[..8]),
                new("specialty-missing", "Specialty", "", "Enter your specialty.", "Cardiology"),
            ],
            "register-doctor",
            Pages.PendingPage());
    });
}
