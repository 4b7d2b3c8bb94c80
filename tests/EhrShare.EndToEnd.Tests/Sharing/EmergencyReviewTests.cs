using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>
/// Break-glass under review: the doctor is told the rules before declaring; the patient ends the emergency; the contract
/// refuses the doctor a second one on that patient until the manager has reviewed the first; the manager's queue shows it
/// in red with the reason checked against the chain, and an abusive verdict raises the doctor's penalty count.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class EmergencyReviewTests(EhrE2EFixture e2e)
{
    private const string Reason = "Collapsed in clinic, need medication history now";

    [Fact]
    public async Task AnEndedEmergency_BlocksTheNextOne_UntilTheManagerJudgesItAbusive_AndTheDoctorsPenaltiesRise()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Gina");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Hugo");
            var p = patient.Page;
            var d = doctor.Page;

            await d.GotoAsync("/Doctor");
            var rules = d.Locator("#emergency-rules");
            await Expect(rules).ToContainTextAsync("the administrator reviews every emergency");
            await Expect(rules).ToContainTextAsync("at most 2 per 24 hours; you have used 0.");
            await Expect(rules).ToContainTextAsync("they see your name and your reason");
            await d.DeclareEmergencyAsync(patient.Address!, Reason, "doctor-emergency-rules");
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync("the administrator will review it");

            await p.RevokeAsync(doctor.Name);

            await d.GotoAsync("/Doctor");
            await Expect(d.Locator("#emergency-rules")).ToContainTextAsync("you have used 1.");
            await d.DeclareEmergencyAsync(patient.Address!, Reason);
            await Expect(d.EmergencyForm()).ToContainTextAsync("the administrator has not reviewed it");
            await ScreenshotAsync(d, "doctor-emergency-refused");

            await admin.ClickMenuLinkAsync("Emergencies");
            var row = admin.Locator("#emergencies tbody tr").Filter(new() { HasText = $"Dr {doctor.Name}" });
            await Expect(row).ToHaveClassAsync("row-emergency");
            await Expect(row).ToContainTextAsync("Not reviewed");
            await Expect(row).ToContainTextAsync(patient.Address!);
            await ScreenshotAsync(admin, "admin-emergencies-queue");
            await row.GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync();
            await Expect(admin.Locator("#reason")).ToContainTextAsync(Reason);
            await Expect(admin.Locator("#commitment")).ToContainTextAsync("Matches the commitment on the blockchain");
            await Expect(admin.GetByRole(AriaRole.Main)).ToContainTextAsync("ended by the patient");
            await Expect(admin.Locator("#doctor-penalties")).ToContainTextAsync("Penalties now: 0");
            await ScreenshotAsync(admin, "admin-emergency-review");

            await admin.GetByRole(AriaRole.Button, new() { Name = "Abusive (penalise the doctor)" }).ClickAsync();
            await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("judged abusive");
            await Expect(admin.Locator("#doctor-penalties")).ToContainTextAsync("Penalties now: 1");
            await Expect(admin.Locator("#verdict")).ToContainTextAsync("Abusive");
            await ScreenshotAsync(admin, "admin-emergency-abusive");
            await admin.ClickMenuLinkAsync("Emergencies");
            await Expect(row).Not.ToHaveClassAsync("row-emergency");
            cast.AssertNoBrowserProblems();
        });
    }
}
