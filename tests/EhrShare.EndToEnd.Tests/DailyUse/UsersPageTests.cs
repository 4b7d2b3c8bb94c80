using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// The manager's Users page: filters for pending, rejected, locked and suspended accounts, Reinstate and Lift penalty
/// explained before the click, and a rejected registration reopened (the person then waits for approval again).
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class UsersPageTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task TheManager_FiltersUsersByStanding_SeesWhatReinstateAndLiftPenaltyDo_AndReopensARejection()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var doctor = await cast.ApprovedDoctorAsync(admin, "Pia");
            var applicant = await cast.NewPageAsync();
            var email = EhrE2EFixture.UniqueEmail("applicant");
            await applicant.RegisterPatientAsync(email, area);
            var row = admin.Locator($"[data-user-email='{email}']");

            // Pending: listed under Pending, not under Rejected.
            await admin.ClickMenuLinkAsync("Users");
            await admin.GetByRole(AriaRole.Navigation, new() { Name = "Show users" }).GetByRole(AriaRole.Link, new() { Name = "Pending" }).ClickAsync();
            await Expect(admin.GetByRole(AriaRole.Link, new() { Name = "Pending" })).ToHaveAttributeAsync("aria-current", "page");
            await Expect(row).ToContainTextAsync("Pending approval");
            await ScreenshotAsync(admin, "users-pending");
            await admin.GotoAsync("/Users?show=Rejected");
            await Expect(row).ToHaveCountAsync(0);

            // Rejected (after the confirmation), then reopened: back on Approvals; the applicant sees it waits again.
            await admin.GotoAsync("/Approvals");
            await admin.Locator($"[data-user-email='{email}']").GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
            await admin.ConfirmAsync("Reject Pat Example's registration?", "Reject the registration", "reopen it later");
            await admin.GotoAsync("/Users?show=Rejected");
            await Expect(row).ToContainTextAsync("Rejected");
            await ScreenshotAsync(admin, "users-rejected");
            await applicant.ReloadAsync();
            await Expect(applicant.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
            await applicant.SubmitSignInAsync(email, Pages.Password);
            await Expect(applicant.GetByRole(AriaRole.Main)).ToContainTextAsync("ask the EHR manager to reopen it");
            await row.GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("Pat Example's registration is waiting for approval again");
            await Expect(row).ToHaveCountAsync(0);
            await admin.GotoAsync("/Approvals");
            await Expect(admin.Locator($"[data-user-email='{email}']")).ToBeVisibleAsync();
            await applicant.ReloadAsync();
            await Expect(applicant.GetByRole(AriaRole.Main)).ToContainTextAsync("waiting for the administrator's approval");

            // Suspended: the filter lists the doctor; Reinstate and Lift penalty say what each does before the click.
            await admin.GotoAsync("/Users?q=" + Uri.EscapeDataString(doctor.Email));
            var doctorRow = admin.Locator($"[data-user-email='{doctor.Email}']");
            await doctorRow.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
            await admin.ConfirmAsync($"Suspend {doctor.Name}'s account?", "Suspend the account", "signed out on every device");
            // With the search too: the Suspended filter asks the chain about the first 500 approved users by name only,
            // and the test database holds every test's users.
            var suspendedFilter = "/Users?show=Suspended&q=" + Uri.EscapeDataString(doctor.Email);
            await admin.GotoAsync(suspendedFilter);
            await Expect(doctorRow).ToContainTextAsync("Suspended");
            await Expect(admin.Locator("#user-actions-help")).ToContainTextAsync("A doctor's penalty count is kept");
            await Expect(doctorRow.Locator("[data-choice]")).ToContainTextAsync("Reinstate ends the suspension and keeps the 0 penalties; Lift penalty ends it and sets them to 0.");
            await Expect(doctorRow.GetByRole(AriaRole.Button, new() { Name = "Lift penalty" })).ToHaveAccessibleDescriptionAsync(
                "Reinstate ends the suspension and keeps the 0 penalties; Lift penalty ends it and sets them to 0.");
            await ScreenshotAsync(admin, "users-suspended-filter");
            await doctorRow.GetByRole(AriaRole.Button, new() { Name = "Reinstate" }).ClickAsync();
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("The account is reinstated");
            await admin.GotoAsync(suspendedFilter);
            await Expect(doctorRow).ToHaveCountAsync(0);

            // Locked: nobody here is locked (the web tests lock an account for real and unlock it from this filter).
            await admin.GotoAsync("/Users?show=Locked&q=" + Uri.EscapeDataString(doctor.Email));
            await Expect(admin.Locator("#no-users")).ToHaveTextAsync("No locked users match your search.");
            await ScreenshotAsync(admin, "users-locked-none");
            cast.AssertNoBrowserProblems();
        });
    }
}
