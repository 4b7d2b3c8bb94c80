using EhrShare.EndToEnd.Tests.DailyUse;
using EhrShare.EndToEnd.Tests.Support;
using EhrShare.Testing;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>
/// Sharing chosen records: the patient approves a request for the records of one category (ticked with the category
/// button), the doctor lists and opens only those and is refused another by the contract; the patient then changes
/// the set of the grant in force and the doctor's list follows.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class ChosenRecordsTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task APatientSharesTheLabResultsOnly_TheDoctorSeesOnlyThose_ThenThePatientSharesTheLetterInstead()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Gia");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Hal");
            var p = patient.Page;
            var d = doctor.Page;
            await RecordCategoryTests.UploadAsync(p, "Iron studies", "iron.pdf", "application/pdf", SampleFiles.Pdf(2_000), "Lab result");
            await RecordCategoryTests.UploadAsync(p, "Vitamin D", "vitd.pdf", "application/pdf", SampleFiles.Pdf(2_100), "Lab result");
            await RecordCategoryTests.UploadAsync(p, "Psychiatry letter", "letter.txt", "text/plain", "Private letter."u8.ToArray(), "Letter");
            await d.AskForAccessAsync(patient.Address!);

            // Chosen records: the category button ticks both lab results; the letter stays out.
            await p.GotoAsync("/Patient/Access");
            var card = p.DoctorCard(doctor.Name);
            await card.GetByRole(AriaRole.Button, new() { Name = "Tick all: Lab result" }).ClickAsync();
            await Expect(card.GetByLabel("Chosen records")).ToBeCheckedAsync();
            await Expect(card.GetByRole(AriaRole.Checkbox, new() { Name = "Iron studies" })).ToBeCheckedAsync();
            await Expect(card.GetByRole(AriaRole.Checkbox, new() { Name = "Vitamin D" })).ToBeCheckedAsync();
            await Expect(card.GetByRole(AriaRole.Checkbox, new() { Name = "Psychiatry letter" })).Not.ToBeCheckedAsync();
            await card.FillGrantLengthAsync("Access for", 2, "days");
            await ScreenshotAsync(p, "grant-chosen-records");
            await p.AssertAccessibleAsync("patient: access, choosing records");
            await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Status)).ToContainTextAsync($"Dr {doctor.Name} may read 2 chosen records until");
            var shared = p.DoctorCard(doctor.Name).Locator("[data-shared-records]");
            await Expect(shared).ToContainTextAsync("Shares 2 records");
            await Expect(shared).ToContainTextAsync("Iron studies");
            await Expect(shared).Not.ToContainTextAsync("Psychiatry letter");
            await ScreenshotAsync(p, "grant-chosen-records-in-force");

            // The doctor lists the two lab results only, opens one, and is refused the letter (by its address).
            await d.GotoAsync("/Doctor");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await Expect(d.Locator("#chosen-records")).ToBeVisibleAsync();
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(2);
            await Expect(d.RecordRow("Psychiatry letter")).ToHaveCountAsync(0);
            await ScreenshotAsync(d, "doctor-chosen-records");
            await d.AssertAccessibleAsync("doctor: a patient's chosen records");
            var recordsPage = d.Url;
            await d.RecordRow("Vitamin D").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await Expect(d.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Vitamin D");
            await p.GotoAsync("/Patient");
            var letterId = await p.RecordRow("Psychiatry letter").GetAttributeAsync("data-record-id");
            var refused = await d.GotoAsync($"/Doctor/Records/{letterId}");
            Assert.Equal(403, refused!.Status);
            await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("This record is not among those the patient shared with you.");
            await ScreenshotAsync(d, "doctor-outside-grant");

            // The patient shares the letter instead; the doctor's list follows.
            await p.GotoAsync("/Patient/Access");
            card = p.DoctorCard(doctor.Name);
            await card.GetByText($"Change which records Dr {doctor.Name} can read").ClickAsync();
            var change = card.Locator("form[action$='/ShareRecords']");
            await change.GetByRole(AriaRole.Checkbox, new() { Name = "Iron studies" }).UncheckAsync();
            await change.GetByRole(AriaRole.Checkbox, new() { Name = "Vitamin D" }).UncheckAsync();
            await change.GetByRole(AriaRole.Checkbox, new() { Name = "Psychiatry letter" }).CheckAsync();
            await ScreenshotAsync(p, "grant-change-records");
            await p.AssertAccessibleAsync("patient: access, changing the records shared");
            await change.GetByRole(AriaRole.Button, new() { Name = "Save the records shared" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Status)).ToContainTextAsync($"Dr {doctor.Name} may now read 1 chosen record.");
            await Expect(p.DoctorCard(doctor.Name).Locator("[data-shared-records]")).ToContainTextAsync("Shares 1 record");
            await d.GotoAsync(recordsPage);
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(d.RecordRow("Psychiatry letter")).ToBeVisibleAsync();

            // The refusal is in the patient's history with its reason.
            await p.GotoAsync("/Patient/History");
            await p.ReloadUntilAsync(
                async () => await p.Locator("#history tbody tr").Filter(new() { HasText = "The record is not among those the patient shared with the doctor" }).CountAsync() == 1,
                "the refusal outside the grant in the history");
            await ScreenshotAsync(p, "history-outside-grant");
            cast.AssertNoBrowserProblems();
        });
    }
}
