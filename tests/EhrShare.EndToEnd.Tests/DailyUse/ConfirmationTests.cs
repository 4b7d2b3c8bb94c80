using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// Deny, Revoke, Reject, Suspend and Declare an emergency each ask first, on a page that says what will happen; the
/// way back changes nothing, and only the confirmed click acts.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class ConfirmationTests(EhrE2EFixture e2e)
{
    private const string Reason = "Collapsed at home; on anticoagulants per family";

    [Fact]
    public async Task EveryActionThatCannotBeTakenBack_SaysWhatWillHappen_AndCancellingChangesNothing()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Kim");
            var asking = await cast.ApprovedDoctorAsync(admin, "Lee");
            var granted = await cast.ApprovedDoctorAsync(admin, "Max");
            var p = patient.Page;

            // Deny: cancelled, the request still waits; confirmed, it is declined.
            await asking.Page.AskForAccessAsync(patient.Address!);
            await p.GotoAsync("/Patient/Access");
            await p.DoctorCard(asking.Name).GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
            await Expect(p.Locator("#consequences")).ToContainTextAsync("The doctor may ask again later");
            await ScreenshotAsync(p, "confirm-deny");
            await p.GetByRole(AriaRole.Link, new() { Name = "Keep it waiting" }).ClickAsync();
            await Expect(p.DoctorCard(asking.Name).GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync();
            await p.DoctorCard(asking.Name).GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
            await p.ConfirmAsync($"Decline Dr {asking.Name}'s request?", "Decline the request", "recorded on the blockchain");
            await Expect(p.GetByRole(AriaRole.Status)).ToContainTextAsync($"You declined Dr {asking.Name}'s request.");

            // Revoke: cancelled, the doctor keeps access; confirmed, it ends.
            await granted.Page.AskForAccessAsync(patient.Address!);
            await p.GrantAsync(granted.Name, 7);
            await p.DoctorCard(granted.Name).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await Expect(p.Locator("#consequences")).ToContainTextAsync($"Dr {granted.Name} can no longer open your records");
            await ScreenshotAsync(p, "confirm-revoke");
            await p.GetByRole(AriaRole.Link, new() { Name = "Keep access" }).ClickAsync();
            await Expect(p.DoctorCard(granted.Name).GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToBeVisibleAsync();
            await p.RevokeAsync(granted.Name);

            // Declare an emergency: the page says what it does and counts it; cancelled, nothing is declared.
            var d = granted.Page;
            await d.GotoAsync("/Doctor");
            var form = d.EmergencyForm();
            await form.GetByLabel("Patient address (AID-PID)").FillAsync(patient.Address!);
            await form.GetByLabel("Reason").FillAsync(Reason);
            await form.GetByRole(AriaRole.Button, new() { Name = "Declare an emergency" }).ClickAsync();
            var consequences = d.Locator("#consequences");
            await Expect(consequences).ToContainTextAsync("The patient sees your name and your reason");
            await Expect(consequences).ToContainTextAsync(Reason);
            await Expect(consequences).ToContainTextAsync("It counts toward your limit: 1 of 2 in 24 hours.");
            await ScreenshotAsync(d, "confirm-emergency");
            await d.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
            await Expect(d.Locator("#emergency-rules")).ToContainTextAsync("you have used 0.");
            await d.DeclareEmergencyAsync(patient.Address!, Reason);
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync("Emergency access to the records of");

            // Reject: a registration waiting for approval.
            var pending = await cast.NewPageAsync();
            var pendingEmail = EhrE2EFixture.UniqueEmail("pending");
            await pending.RegisterPatientAsync(pendingEmail, area);
            await admin.GotoAsync("/Approvals");
            var card = admin.Locator($"[data-user-email='{pendingEmail}']");
            await card.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
            await Expect(admin.Locator("#consequences")).ToContainTextAsync("no blockchain account is made");
            await ScreenshotAsync(admin, "confirm-reject");
            await admin.GetByRole(AriaRole.Link, new() { Name = "Keep it waiting" }).ClickAsync();
            await Expect(card).ToBeVisibleAsync();
            await card.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
            await admin.ConfirmAsync("Reject Pat Example's registration?", "Reject the registration", "You can reopen it later");
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("Rejected the registration of Pat Example.");
            await Expect(card).ToHaveCountAsync(0);

            // Suspend: cancelled, still active; confirmed, suspended.
            await admin.GotoAsync("/Users?q=" + Uri.EscapeDataString(asking.Email));
            var user = admin.Locator($"[data-user-email='{asking.Email}']");
            await user.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
            await Expect(admin.Locator("#consequences")).ToContainTextAsync("signed out on every device");
            await ScreenshotAsync(admin, "confirm-suspend");
            await admin.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
            await admin.GotoAsync("/Users?q=" + Uri.EscapeDataString(asking.Email));
            await Expect(user).ToContainTextAsync("Active");
            await user.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
            await admin.ConfirmAsync($"Suspend {asking.Name}'s account?", "Suspend the account", "Reinstate ends it later");
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("The account is suspended.");
            cast.AssertNoBrowserProblems();
        });
    }
}
