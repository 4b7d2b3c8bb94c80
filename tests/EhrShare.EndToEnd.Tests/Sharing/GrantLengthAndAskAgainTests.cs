using System.Text.RegularExpressions;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>
/// Sharing the way patients think: a grant for some hours, extended while it runs, its end shown to the doctor; after
/// a revocation the doctor asks again from the list, the patient sees who asks, and after a denial the doctor is told
/// when they may ask again (and a request before then is refused, nothing sent).
/// </summary>
[Collection(E2ECollection.Name)]
public sealed partial class GrantLengthAndAskAgainTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task AGrantInHours_IsExtended_TheDoctorSeesItsEnd_AndAsksAgainAfterARevocation_ButWaitsAfterADenial()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Ada");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Ben");
            var p = patient.Page;
            var d = doctor.Page;
            await p.UploadAsync("Chest X-ray report", "xray.txt", "text/plain", "no consolidation"u8.ToArray());

            // A grant of 6 hours, then 2 more days while it runs.
            await d.AskForAccessAsync(patient.Address!);
            await p.GrantAsync(doctor.Name, 6, "hours", screenshot: "grant-hours");
            var card = p.DoctorCard(doctor.Name);
            await Expect(card.Locator("time")).ToHaveTextAsync(InHours());
            await p.ExtendAsync(doctor.Name, 2, "days");
            await Expect(card.Locator("time")).ToHaveTextAsync(InTwoDays());
            await ScreenshotAsync(p, "grant-extended");

            // The doctor sees when the access ends, on the list and beside the records.
            await d.GotoAsync("/Doctor");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Granted");
            await Expect(d.PatientRow(patient.Address!).Locator("time")).ToHaveTextAsync(InTwoDays());
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await Expect(d.Locator("#access-ends")).ToContainTextAsync("The patient's grant lets you read these records until");
            await Expect(d.Locator("#access-ends time").Last).ToHaveTextAsync(InTwoDays());
            await ScreenshotAsync(d, "doctor-access-ends");

            // Revoked: the doctor asks again from the list; the patient sees who asks.
            await p.RevokeAsync(doctor.Name);
            await d.GotoAsync("/Doctor");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Revoked");
            await ScreenshotAsync(d, "doctor-ask-again");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Button, new() { Name = $"Ask {patient.Address} again" }).ClickAsync();
            await Expect(d.GetByRole(AriaRole.Status)).ToContainTextAsync($"Your request went to the patient at {patient.Address}.");
            await Expect(d.PatientRow(patient.Address!)).ToContainTextAsync("Pending");
            await p.GotoAsync("/Patient/Access");
            await Expect(card.Locator("[data-licence]")).ToHaveTextAsync(new Regex("^LIC-"));
            await Expect(card).ToContainTextAsync("Cardiology");
            await ScreenshotAsync(p, "patient-request-again");

            // Declined: no button, the list says when; asking before then is refused and sends nothing.
            await card.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
            await p.ConfirmAsync($"Decline Dr {doctor.Name}'s request?", "Decline the request", "recorded on the blockchain");
            await d.GotoAsync("/Doctor");
            var row = d.PatientRow(patient.Address!);
            await Expect(row).ToContainTextAsync("Declined");
            await Expect(row.Locator("[data-ask-again-after]")).ToContainTextAsync(AskAgainIn());
            await Expect(row.GetByRole(AriaRole.Button, new() { Name = $"Ask {patient.Address} again" })).ToHaveCountAsync(0);
            await d.AskForAccessAsync(patient.Address!);
            await Expect(d.Locator("[data-valmsg-for='Request.PatientAddress']")).ToContainTextAsync("declined your request on");
            await Expect(d.Locator("[data-valmsg-for='Request.PatientAddress']")).ToContainTextAsync("Nothing was sent.");
            await ScreenshotAsync(d, "doctor-ask-again-cooldown");
            cast.AssertNoBrowserProblems();
        });
    }

    [GeneratedRegex(@"^in [56] (hr\.?|hours?)$")]
    private static partial Regex InHours();

    [GeneratedRegex(@"^in 2 days$")]
    private static partial Regex InTwoDays();

    [GeneratedRegex(@"you can ask again in [23] days")]
    private static partial Regex AskAgainIn();
}
