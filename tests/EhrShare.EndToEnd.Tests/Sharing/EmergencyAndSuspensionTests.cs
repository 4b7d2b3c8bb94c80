using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>Break-glass access, shown in red to the patient (and the admin), and the penalty for repeated refusals:
/// the suspended doctor sees it on every page until the admin lifts it.</summary>
[Collection(E2ECollection.Name)]
public sealed class EmergencyAndSuspensionTests(EhrE2EFixture e2e)
{
    private const string Reason = "Unconscious in A&E; allergy history needed before surgery";

    [Fact]
    public Task Doctor_DeclaresAnEmergencyWithAReason_AndThePatientSeesItInRed() => EmergencyAsync(withMonitor: false);

    [Fact]
    public Task TheEmergency_AlsoShowsInRedOnTheAdminsMonitor() => EmergencyAsync(withMonitor: true);

    [Fact]
    public async Task ThreeRefusedReads_SuspendTheDoctor_EveryPageSaysSo_AndTheAdminLiftsThePenalty()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Carol");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Dave");
            var p = patient.Page;
            var d = doctor.Page;
            await p.UploadAsync("Allergy list", "allergies.txt", "text/plain", "penicillin"u8.ToArray());
            await d.AskForAccessAsync(patient.Address!);
            await p.GrantAsync(doctor.Name, 1);
            await d.GotoAsync("/Doctor");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await Expect(d.RecordRow("Allergy list")).ToBeVisibleAsync();
            var records = d.Url;
            await p.RevokeAsync(doctor.Name);

            // The doctor keeps trying the page they had open: each try is refused and penalised.
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                var refused = await d.GotoAsync(records);
                Assert.Equal(403, refused!.Status);
            }

            var banner = d.Locator("#suspended-banner");
            await d.GotoAsync("/Doctor");
            await d.ReloadUntilAsync(() => banner.IsVisibleAsync(), "the suspension banner");
            await Expect(banner).ToContainTextAsync("Your account is suspended.");
            await ScreenshotAsync(d, "doctor-suspended");
            await d.GotoAsync(records);
            await Expect(banner).ToBeVisibleAsync();
            await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("Your account is suspended. The contract suspended it when its penalties reached 3");
            await ScreenshotAsync(d, "doctor-suspended-refused");

            await admin.ClickMenuLinkAsync("Users");
            await admin.GetByLabel("Search by name or email").FillAsync(doctor.Email);
            await admin.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            var user = admin.Locator($"[data-user-email='{doctor.Email}']");
            await Expect(user).ToContainTextAsync("Suspended");
            await Expect(user).ToContainTextAsync("penalties");
            await ScreenshotAsync(admin, "admin-users-suspended");
            await user.GetByRole(AriaRole.Button, new() { Name = "Lift penalty" }).ClickAsync();
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("The doctor's penalties are cleared and any suspension lifted.");
            await ScreenshotAsync(admin, "admin-users-lifted");

            await d.GotoAsync("/Doctor");
            await d.ReloadUntilAsync(async () => !await banner.IsVisibleAsync(), "the banner gone");
            await d.AskForAccessAsync(patient.Address!);
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync($"Your request went to the patient at {patient.Address}.");
            cast.AssertNoBrowserProblems();
        });
    }

    private async Task EmergencyAsync(bool withMonitor, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Erin");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Frank");
            var p = patient.Page;
            var d = doctor.Page;
            await p.UploadAsync("Allergy list", "allergies.txt", "text/plain", "penicillin"u8.ToArray());

            await d.GotoAsync("/Doctor");
            await d.DeclareEmergencyAsync(patient.Address!, Reason, "doctor-emergency-filled");

            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync($"Emergency access to the records of {patient.Name} ({patient.Address}) is open.");
            await Expect(d.RecordRow("Allergy list")).ToBeVisibleAsync();
            await ScreenshotAsync(d, "doctor-emergency-records");
            await d.GotoAsync("/Doctor");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Emergency");
            await Expect(d.PatientRow(patient.Address!)).ToHaveClassAsync("row-emergency");
            await ScreenshotAsync(d, "doctor-dashboard-emergency");

            // Where the patient lands, too, with the way to end it.
            await p.GotoAsync("/Patient");
            var notice = p.Locator("[data-emergency]");
            await Expect(notice).ToContainTextAsync($"by Dr {doctor.Name}");
            await Expect(notice).ToContainTextAsync(Reason);
            await ScreenshotAsync(p, "patient-records-emergency");
            await notice.GetByRole(AriaRole.Link, new() { Name = "See who can read my records" }).ClickAsync();
            var alert = p.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Emergency access" });
            await Expect(alert).ToContainTextAsync($"by Dr {doctor.Name}");
            await Expect(alert).ToContainTextAsync(Reason);
            await Expect(alert).ToHaveCSSAsync("color", "rgb(88, 21, 28)"); // Bootstrap's danger text on its danger background
            await Expect(p.DoctorCard(doctor.Name)).ToContainTextAsync("Emergency access until");
            await ScreenshotAsync(p, "patient-access-emergency");
            await p.ClickMenuLinkAsync("History");
            var row = p.Locator("#history tbody tr.row-emergency").Filter(new() { HasText = $"Dr {doctor.Name}" });
            await Expect(row.First).ToContainTextAsync("Emergency access declared");
            await Expect(row.First).ToContainTextAsync(Reason);
            await ScreenshotAsync(p, "patient-history-emergency");
            cast.AssertNoBrowserProblems();
            if (!withMonitor)
            {
                return;
            }

            await admin.ClickMenuLinkAsync("Monitor");
            var emergency = admin.Locator("#alerts tbody tr").Filter(new() { HasText = "EmergencyAccess" }).Filter(new() { HasText = doctor.Name });
            await Expect(emergency.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(emergency.First).ToHaveClassAsync("row-emergency");
            await ScreenshotAsync(admin, "admin-monitor-emergency");
        }, test: test);
    }
}
