using System.Text.RegularExpressions;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// A doctor asks; the patient sees the unread badge (on a phone too, without opening the menu) and the notification,
/// opens it onto Access and grants; the doctor sees theirs, with the patient's address and not the name.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed partial class NotificationTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task ARequest_ShowsThePatientTheBadgeAndTheNotification_AndTheGrantShowsTheDoctorTheirs()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Nia");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Oto");
            var p = patient.Page;
            var d = doctor.Page;

            await d.AskForAccessAsync(patient.Address!);
            await p.GotoAsync("/Patient");
            var badge = p.Locator("#unread-badge");
            await Expect(badge).ToBeVisibleAsync();
            // "1" on screen; "1 unread" for a screen reader.
            await Expect(badge).ToHaveTextAsync("1 unread");
            await ScreenshotAsync(p, "notifications-badge");

            await p.Locator("#nav-notifications").ClickAsync();
            var item = p.Locator("#notifications li").Filter(new() { HasText = $"Dr {doctor.Name} asked for access" });
            await Expect(item).ToContainTextAsync("New");
            await p.AssertAccessibleAsync("patient: notifications");
            await ScreenshotAsync(p, "notifications-patient");
            await item.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
            await Expect(p).ToHaveURLAsync(AccessPage());
            await Expect(p.Locator("#unread-badge")).ToHaveCountAsync(0);
            await p.GrantAsync(doctor.Name, 5);

            await d.GotoAsync("/Doctor");
            await Expect(d.Locator("#unread-badge")).ToHaveTextAsync("1 unread");
            await d.Locator("#nav-notifications").ClickAsync();
            await Expect(d.Locator("#notifications li").First).ToContainTextAsync($"The patient at {patient.Address} granted you access");
            await Expect(d.Locator("main")).Not.ToContainTextAsync(patient.Name);
            await d.AssertAccessibleAsync("doctor: notifications");
            await ScreenshotAsync(d, "notifications-doctor");
            await d.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync("1 notification is marked as read.");
            await Expect(d.Locator("#unread-badge")).ToHaveCountAsync(0);

            await d.GetByRole(AriaRole.Link, new() { Name = "Email settings" }).ClickAsync();
            await Expect(d.GetByLabel("Access granted")).ToBeCheckedAsync();
            await d.GetByLabel("Access granted").UncheckAsync();
            await d.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync("Your email settings are saved.");
            await Expect(d.GetByLabel("Access granted")).Not.ToBeCheckedAsync();
            await Expect(d.GetByLabel("Access revoked")).ToBeCheckedAsync();
            await d.AssertAccessibleAsync("doctor: email settings");
            await ScreenshotAsync(d, "notifications-settings");
            cast.AssertNoBrowserProblems();
        });
    }

    [GeneratedRegex("/Patient/Access$")]
    private static partial Regex AccessPage();
}
