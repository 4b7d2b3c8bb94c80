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

    public static TheoryData<string, string, string, string> BadInputs() => new()
    {
        { "name-missing", "Full name", "", "Enter your full name." },
        { "bad-email", "Email", "someone@", "Enter a valid email address." },
        { "short-password", "Password", "Short-1", "Use at least 10 characters." },
        { "passwords-differ", "Repeat password", "Something-else-9", "The two passwords differ." },
        { "licence-missing", "Licence number", "", "Enter your licence number." },
    };

    /// <summary>As for patients: the message next to the field, and the corrected form registers the same email.</summary>
    [Theory]
    [MemberData(nameof(BadInputs))]
    public Task Form_WithABadField_SaysWhyNextToIt_KeepsTheRest_AndCreatesNothing(string caseName, string field, string value, string message) =>
        e2e.OnEachDeviceAsync(
            async page =>
            {
                var email = UniqueEmail("bad-doctor");
                await page.GotoAsync("/Account/RegisterDoctor");
                await page.FillDoctorFormAsync(email);
                await page.SetFieldAsync(field, value);

                await page.SubmitRegistrationAsync();

                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register as a doctor" })).ToBeVisibleAsync();
                await Expect(page.FieldBlock(field)).ToContainTextAsync(message);
                await ScreenshotAsync(page, $"register-doctor-{caseName}");

                await page.SetFieldAsync(field, field switch
                {
                    "Full name" => "Dr Example",
                    "Email" => email,
                    "Licence number" => "LIC-" + Guid.NewGuid().ToString("N")[..8],
                    _ => Pages.Password,
                });
                await page.FillPasswordsAsync(Pages.Password);
                await page.SubmitRegistrationAsync();
                await Expect(page).ToHaveURLAsync(Pages.PendingPage());
            },
            caseName);
}
