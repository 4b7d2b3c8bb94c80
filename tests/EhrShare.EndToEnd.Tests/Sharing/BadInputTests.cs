using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>Every form of the patient's and the doctor's pages, given what users get wrong: each says what is wrong,
/// next to the field or in the form, and changes nothing.</summary>
[Collection(E2ECollection.Name)]
public sealed class BadInputTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task TheDoctorsForms_RefuseBadAddressesAndAMissingReason()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Grace");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Henry");
            var d = doctor.Page;

            foreach (var (value, message, shot) in new[]
                     {
                         ("", "Enter the patient's address, like 3-127.", "doctor-request-empty"),
                         ("12/34", "'12/34' is not a patient address: enter two numbers separated by a dash, like 3-127.", "doctor-request-malformed"),
                         ("999999-999999", "No patient has the address 999999-999999. Check it with the patient.", "doctor-request-unknown"),
                     })
            {
                await d.AskForAccessAsync(value);
                await Expect(d.RequestForm()).ToContainTextAsync(message);
                await Expect(d.RequestForm().GetByLabel("Patient address (AID-PID)")).ToHaveValueAsync(value);
                await Expect(d.RequestForm().GetByLabel("Patient address (AID-PID)")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("input-validation-error"));
                await Expect(d.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
                await ScreenshotAsync(d, shot);
            }

            var form = d.EmergencyForm();
            foreach (var (reason, message, shot) in new[]
                     {
                         ("", "Describe the emergency.", "doctor-emergency-no-reason"),
                         ("help", "Describe the emergency in 10 to 500 characters.", "doctor-emergency-short-reason"),
                     })
            {
                await form.GetByLabel("Patient address (AID-PID)").FillAsync(patient.Address!);
                await form.GetByLabel("Reason").FillAsync(reason);
                await form.GetByRole(AriaRole.Button, new() { Name = "Declare an emergency" }).ClickAsync();
                await Expect(form).ToContainTextAsync(message);
                await Expect(form.GetByLabel("Patient address (AID-PID)")).ToHaveValueAsync(patient.Address!);
                await ScreenshotAsync(d, shot);
            }

            await Expect(d.GetByText("You have not asked any patient for access yet.")).ToBeVisibleAsync();
            cast.AssertNoBrowserProblems();
        });
    }

    [Fact]
    public async Task ThePatientsForms_RefuseAnUploadWithoutTitleOrFile_AWrongType_AGrantOfZeroDays_AndAskBeforeRemoving()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Iris");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Jack");
            var p = patient.Page;
            var status = p.Locator("#upload-status");

            await p.GotoAsync("/Patient");
            await p.UploadButton().ClickAsync();
            await Expect(status).ToHaveTextAsync("Give the record a title.");
            await Expect(p.GetByLabel("Title", new() { Exact = true })).ToBeFocusedAsync();
            await ScreenshotAsync(p, "patient-upload-no-title");
            await p.FillUploadAsync("Scan", null, "", null);
            await p.UploadButton().ClickAsync();
            await Expect(status).ToHaveTextAsync("Choose a file to upload.");
            await ScreenshotAsync(p, "patient-upload-no-file");
            // The page's script refuses the next two before sending anything (a 400 from the server would be a problem).
            await p.FillUploadAsync("Scan", "page.html", "text/html", "<h1>hi</h1>"u8.ToArray());
            await p.UploadButton().ClickAsync();
            await Expect(status).ToContainTextAsync("This type of file is not accepted.");
            await Expect(p.UploadButton()).ToBeEnabledAsync();
            await ScreenshotAsync(p, "patient-upload-bad-type");
            await p.FillUploadAsync("Scan", "empty.txt", "text/plain", []);
            await p.UploadButton().ClickAsync();
            await Expect(status).ToHaveTextAsync("The file is empty. Choose a file with something in it.");
            await Expect(p.GetByText("No records yet.")).ToBeVisibleAsync();

            // A grant of 0 days never leaves the browser: the field says what it accepts.
            await doctor.Page.AskForAccessAsync(patient.Address!);
            await p.GotoAsync("/Patient/Access");
            var card = p.DoctorCard(doctor.Name);
            var days = card.GetByLabel("Access for", new() { Exact = true });
            await days.FillAsync("0");
            await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            Assert.False(await days.EvaluateAsync<bool>("e => e.validity.valid"));
            Assert.False(string.IsNullOrEmpty(await days.EvaluateAsync<string>("e => e.validationMessage")));
            await Expect(p).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Patient/Access$"));
            await Expect(p.GetByText("Nobody can read your records right now.")).ToBeVisibleAsync();
            await ScreenshotAsync(p, "patient-grant-zero-days");

            // Removing asks first, says it cannot be undone, and "Keep it" keeps it.
            await p.UploadAsync("Old scan", "old.txt", "text/plain", "old"u8.ToArray());
            await p.RecordRow("Old scan").GetByRole(AriaRole.Link, new() { Name = "Remove" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Remove \u201cOld scan\u201d?");
            await Expect(p.GetByRole(AriaRole.Alert)).ToContainTextAsync("This cannot be undone.");
            await ScreenshotAsync(p, "patient-remove-confirm");
            await p.GetByRole(AriaRole.Link, new() { Name = "Keep it" }).ClickAsync();
            await Expect(p.RecordRow("Old scan")).ToBeVisibleAsync();
            await p.RecordRow("Old scan").GetByRole(AriaRole.Link, new() { Name = "Remove" }).ClickAsync();
            await p.GetByRole(AriaRole.Button, new() { Name = "Remove for ever" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "removed" })).ToContainTextAsync("The record is removed.");
            await Expect(p.RecordRow("Old scan")).ToHaveCountAsync(0);
            await Expect(p.GetByText("No records yet.")).ToBeVisibleAsync();
            await ScreenshotAsync(p, "patient-record-removed");
            cast.AssertNoBrowserProblems();
        });
    }
}
