using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// axe-core on every main page of every role, at desktop and phone widths, with content on them (a record, a
/// request, a grant, an emergency): no serious or critical violation.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class AccessibilityTests(EhrE2EFixture e2e)
{
    /// <summary>A valid 1×1 PNG.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public Task TheSignedOutPages_HaveNoSeriousOrCriticalViolations() => e2e.OnEachDeviceAsync(async page =>
    {
        foreach (var (path, what) in new[]
                 {
                     ("/", "home"), ("/Account/Login", "sign in"), ("/Account/Register", "register"),
                     ("/Account/RegisterPatient", "register as a patient"), ("/Account/RegisterDoctor", "register as a doctor"),
                     ("/Account/ForgotPassword", "forgot password"), ("/no-such-page", "not found"),
                 })
        {
            await page.GotoAsync(path);
            await page.AssertAccessibleAsync(what);
        }
    });

    [Fact]
    public async Task EveryMainPageOfEveryRole_HasNoSeriousOrCriticalViolations()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Tara");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Uma");
            var other = await cast.ApprovedDoctorAsync(admin, "Vic");
            var p = patient.Page;
            var d = doctor.Page;
            await p.UploadAsync("Scan report", "scan.txt", "text/plain", "No abnormality."u8.ToArray());
            await p.UploadAsync("Wound photo", "wound.png", "image/png", Pixel);
            await d.AskForAccessAsync(patient.Address!);
            await other.Page.AskForAccessAsync(patient.Address!);
            await p.GrantAsync(doctor.Name, 5);

            // Patient.
            foreach (var (path, what) in new[] { ("/Patient", "my records"), ("/Patient/Access", "access"), ("/Patient/History", "history"), ("/Account/Security", "account security"), ("/Notifications", "notifications"), ("/Notifications/Settings", "email settings") })
            {
                await p.GotoAsync(path);
                await p.AssertAccessibleAsync("patient: " + what);
            }

            await p.GotoAsync("/Patient");
            // An image: a text or PDF record is framed, and the frame's document (the user's own file, sandboxed with
            // no script) cannot take axe's script.
            await p.RecordRow("Wound photo").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await p.AssertAccessibleAsync("patient: record viewer");
            await p.GotoAsync("/Patient/Access");
            await p.DoctorCard(doctor.Name).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await Expect(p.Locator("#consequences")).ToBeVisibleAsync();
            await p.AssertAccessibleAsync("patient: confirm revoke");

            // Doctor.
            await d.GotoAsync("/Doctor");
            await d.AssertAccessibleAsync("doctor: my patients");
            await d.GotoAsync("/Notifications");
            await Expect(d.Locator("#notifications li")).ToHaveCountAsync(1);
            await d.AssertAccessibleAsync("doctor: notifications");
            await d.GotoAsync("/Doctor");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await Expect(d.RecordRow("Scan report")).ToBeVisibleAsync();
            await d.AssertAccessibleAsync("doctor: a patient's records");
            var o = other.Page;
            await o.GotoAsync("/Doctor");
            var form = o.EmergencyForm();
            await form.GetByLabel("Patient address (AID-PID)").FillAsync(patient.Address!);
            await form.GetByLabel("Reason").FillAsync("Anaphylaxis in clinic, allergy list needed");
            await form.GetByRole(AriaRole.Button, new() { Name = "Declare an emergency" }).ClickAsync();
            await Expect(o.Locator("#consequences")).ToBeVisibleAsync();
            await o.AssertAccessibleAsync("doctor: confirm emergency");
            await o.GetByRole(AriaRole.Button, new() { Name = "Declare the emergency" }).ClickAsync();
            await Expect(o.GetByRole(AriaRole.Status)).ToContainTextAsync("Emergency access");
            await p.GotoAsync("/Patient/Access");
            await p.AssertAccessibleAsync("patient: access with an emergency");

            // Manager.
            foreach (var (path, what) in new[]
                     {
                         ("/Approvals", "approvals"), ("/Users", "users"), ("/Users?show=Suspended", "users, suspended"),
                         ("/Emergencies", "emergencies"), ("/Reports", "reports"), ("/Areas", "areas"),
                         ("/Notifications", "notifications"),
                     })
            {
                await admin.GotoAsync(path);
                await admin.AssertAccessibleAsync("admin: " + what);
            }

            await admin.GotoAsync("/Emergencies");
            await admin.Locator("#emergencies tbody tr").Filter(new() { HasText = other.Name }).GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync();
            await admin.AssertAccessibleAsync("admin: emergency review");
            await admin.GotoAsync("/Monitor");
            await Expect(admin.Locator("#monitor-emergencies tbody tr").Filter(new() { HasText = other.Name })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await admin.AssertAccessibleAsync("admin: monitor");
            cast.AssertNoBrowserProblems();
        });
    }
}
