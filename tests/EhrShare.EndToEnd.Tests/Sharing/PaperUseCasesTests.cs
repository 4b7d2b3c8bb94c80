using System.Security.Cryptography;
using System.Text;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>
/// The paper's two use cases, end to end in the browser: a patient stores a record and shares it with a doctor, who
/// reads it while allowed and is refused once the patient revokes; the refusal is on the chain, so the patient's
/// history and the admin's monitor show it.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class PaperUseCasesTests(EhrE2EFixture e2e)
{
    [Fact]
    public Task AdminApproves_PatientUploadsAndGrants_DoctorReadsAndDownloads_RevocationDenies_AndTheDenialIsInTheHistory() =>
        RunAsync(withMonitor: false);

    [Fact]
    public Task TheDenial_AlsoShowsOnTheAdminsMonitor_WhichRefreshesItself() => RunAsync(withMonitor: true);

    private async Task RunAsync(bool withMonitor, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area);
            var doctor = await cast.ApprovedDoctorAsync(admin);
            await ScreenshotAsync(admin, "admin-approved");
            var p = patient.Page;
            var d = doctor.Page;

            // The patient's page shows the address to give to doctors; the upload shows its progress.
            await p.GotoAsync("/Patient");
            await Expect(p.Locator("#patient-address")).ToHaveTextAsync(patient.Address!);
            await Expect(p.GetByText("No records yet.")).ToBeVisibleAsync();
            await ScreenshotAsync(p, "patient-records-empty");
            var content = Encoding.UTF8.GetBytes("Haemoglobin 14.1 g/dL\n" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(600_000)));
            await p.FillUploadAsync("Blood test", "blood-test.txt", "text/plain", content);
            var release = new TaskCompletionSource();
            await p.RouteAsync("**/Patient/Upload", async route =>
            {
                await release.Task; // hold the upload so the progress can be seen
                await route.ContinueAsync();
            });
            await p.UploadButton().ClickAsync();
            await Expect(p.GetByRole(AriaRole.Progressbar, new() { Name = "Upload progress" })).ToBeVisibleAsync();
            await Expect(p.Locator("#upload-status")).ToHaveTextAsync("Uploading and encrypting…");
            await Expect(p.UploadButton()).ToBeDisabledAsync();
            await ScreenshotAsync(p, "patient-uploading");
            release.SetResult();
            await Expect(p.GetByRole(AriaRole.Status).First).ToContainTextAsync("\u201cBlood test\u201d is uploaded, encrypted and anchored on the chain.");
            await p.UnrouteAllAsync();
            await Expect(p.RecordRow("Blood test")).ToContainTextAsync("blood-test.txt");
            await Expect(p.RecordRow("Blood test")).ToContainTextAsync("Text");
            await ScreenshotAsync(p, "patient-records");

            // The doctor asks by address; the patient approves for a week.
            await d.GotoAsync("/Doctor");
            await Expect(d.GetByText("You have not asked any patient for access yet.")).ToBeVisibleAsync();
            await ScreenshotAsync(d, "doctor-dashboard-empty");
            await d.AskForAccessAsync(patient.Address!);
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync($"Your request went to the patient at {patient.Address}.");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Pending");
            await ScreenshotAsync(d, "doctor-requested");

            await p.GotoAsync("/Patient");
            await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "asking for access" })).ToContainTextAsync("1 doctor is asking for access to your records.");
            await p.ClickMenuLinkAsync("Access");
            await Expect(p.DoctorCard(doctor.Name)).ToContainTextAsync("Cardiology");
            await ScreenshotAsync(p, "patient-access-request");
            await p.GrantAsync(doctor.Name, 7);
            await Expect(p.DoctorCard(doctor.Name)).ToContainTextAsync("Until ");
            await ScreenshotAsync(p, "patient-access-granted");

            // The doctor reads in the browser and downloads the very bytes uploaded.
            await d.GotoAsync("/Doctor");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Granted");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await Expect(d.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(patient.Name);
            var recordsPage = d.Url;
            var row = d.RecordRow("Blood test");
            await ScreenshotAsync(d, "doctor-patient-records");
            var download = await d.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
            Assert.Equal("blood-test.txt", download.SuggestedFilename);
            Assert.Equal(content, await File.ReadAllBytesAsync(await download.PathAsync()));
            var downloadUrl = download.Url;
            // View opens inside the app's page, the record in a sandboxed frame.
            await row.GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await Expect(d.FrameLocator("#record-view").Locator("body")).ToContainTextAsync("Haemoglobin 14.1 g/dL");

            // The patient revokes; the doctor is refused, with the reason.
            await p.RevokeAsync(doctor.Name);
            await Expect(p.GetByText("Nobody can read your records right now.")).ToBeVisibleAsync();
            await Expect(p.DoctorCard(doctor.Name)).ToContainTextAsync("Revoked");
            await ScreenshotAsync(p, "patient-access-revoked");
            var refused = await d.GotoAsync(recordsPage);
            Assert.Equal(403, refused!.Status);
            await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("The patient revoked your access to their records.");
            await ScreenshotAsync(d, "doctor-denied");
            await d.GotoAsync("/Doctor");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Revoked");
            await Expect(d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" })).ToHaveCountAsync(0);
            var refusedDownload = await d.APIRequest.GetAsync(downloadUrl);
            Assert.Equal(403, refusedDownload.Status);

            // The refusal is in the patient's history and on the admin's monitor, which refreshes by itself.
            await p.ClickMenuLinkAsync("History");
            var denial = p.Locator("#history tbody tr").Filter(new() { HasText = $"Dr {doctor.Name}" }).Filter(new() { HasText = "Denied" });
            await Expect(denial.First).ToBeVisibleAsync();
            await Expect(p.Locator("#history tbody tr").Filter(new() { HasText = "Read (allowed)" }).First).ToContainTextAsync($"Dr {doctor.Name}");
            await ScreenshotAsync(p, "patient-history");
            cast.AssertNoBrowserProblems();
            if (!withMonitor)
            {
                return;
            }

            await admin.ClickMenuLinkAsync("Monitor");
            await Expect(admin.Locator("#monitor-updated")).ToContainTextAsync("Updated");
            var denialEvent = admin.Locator("#alerts tbody tr").Filter(new() { HasText = "AccessDenied" }).Filter(new() { HasText = doctor.Name });
            await Expect(denialEvent.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(denialEvent.First).ToHaveClassAsync("row-emergency");
            await ScreenshotAsync(admin, "admin-monitor");
        }, test: test);
    }
}
