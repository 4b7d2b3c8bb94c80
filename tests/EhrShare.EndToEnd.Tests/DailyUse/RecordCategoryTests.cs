using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using EhrShare.EndToEnd.Tests.Support;
using EhrShare.Testing;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>
/// Record categories (chosen at upload, changed later, a badge in the lists), the search box and category filter on
/// My records and on a doctor's view of a patient (GET parameters: bookmarkable), the doctor's View inside the app's
/// page, and the patient's export ZIP downloaded through the page.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed partial class RecordCategoryTests(EhrE2EFixture e2e)
{
    /// <summary>A valid 1×1 PNG, so the browser really draws it.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task APatient_FilesRecordsByCategory_SearchesAndFiltersThem_AndChangesACategory()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Cara");
            var p = patient.Page;
            await UploadAsync(p, "Blood panel", "blood.pdf", "application/pdf", SampleFiles.Pdf(3_000), "Lab result");
            await UploadAsync(p, "Chest X-ray", "chest.png", "image/png", Pixel, "Imaging");
            await p.GotoAsync("/Patient");
            await Expect(p.GetByLabel("Category", new() { Exact = true }).First).ToHaveValueAsync("other");
            await p.UploadAsync("Discharge summary", "discharge.txt", "text/plain", "Discharged home, blood pressure fine."u8.ToArray());

            await p.GotoAsync("/Patient");
            await Expect(Badge(p, "Blood panel")).ToHaveTextAsync("Lab result");
            await Expect(Badge(p, "Chest X-ray")).ToHaveTextAsync("Imaging");
            await Expect(Badge(p, "Discharge summary")).ToHaveTextAsync("Other");
            await ScreenshotAsync(p, "records-categories");
            await p.AssertAccessibleAsync("patient: my records with categories");

            // Words in the title, notes or file name (decrypted for the search), every word must match.
            var filter = p.Locator("#record-filter");
            await filter.GetByLabel("Search titles, notes and file names").FillAsync("BLOOD");
            await filter.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(p).ToHaveURLAsync(SearchFor("BLOOD"));
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(p.RecordRow("Blood panel")).ToBeVisibleAsync();
            await Expect(p.Locator("#filter-count")).ToHaveTextAsync("1 record matches \u201cBLOOD\u201d.");
            await ScreenshotAsync(p, "records-search");

            // The category with the words, from the URL alone (a bookmark): the discharge summary's file name has no
            // "blood", but its content does, which the search does not read.
            await p.GotoAsync("/Patient?q=blood&category=lab-result");
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(p.GetByLabel("Category", new() { Exact = true }).Last).ToHaveValueAsync("lab-result");
            await p.GotoAsync("/Patient?category=imaging");
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(p.RecordRow("Chest X-ray")).ToBeVisibleAsync();
            await ScreenshotAsync(p, "records-category-filter");
            await p.AssertAccessibleAsync("patient: my records filtered");

            // Nothing matches: said so, with the way back.
            await p.GotoAsync("/Patient?q=blood&category=imaging");
            await Expect(p.Locator("#no-records")).ToHaveTextAsync(new Regex("No records match \u201cblood\u201d in imaging\\."));
            await Expect(p.Locator("#records")).ToHaveCountAsync(0);
            await ScreenshotAsync(p, "records-search-empty");
            await p.Locator("#no-records").GetByRole(AriaRole.Link, new() { Name = "Show all my records" }).ClickAsync();
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(3);

            // A category that does not exist and an over-long search are named, and left out of the filter.
            await p.GotoAsync("/Patient?category=x-rays");
            await Expect(p.Locator("#filter-problem")).ToContainTextAsync("There is no such category");
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(3);
            await p.GotoAsync("/Patient?q=" + new string('a', 101));
            await Expect(p.Locator("#filter-problem")).ToContainTextAsync("Search for up to 100 characters");
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(3);
            await ScreenshotAsync(p, "records-filter-problem");

            // The patient files the summary as a letter, from its page.
            await p.GotoAsync("/Patient");
            await p.RecordRow("Discharge summary").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await Expect(p.Locator("#record-category-badge")).ToHaveTextAsync("Other");
            await p.GetByLabel("File this record under").SelectOptionAsync(new SelectOptionValue { Label = "Letter" });
            await p.GetByRole(AriaRole.Button, new() { Name = "Change category" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Status).Filter(new() { HasText = "filed under" }))
                .ToContainTextAsync("\u201cDischarge summary\u201d is now filed under letter.");
            await Expect(p.Locator("#record-category-badge")).ToHaveTextAsync("Letter");
            await ScreenshotAsync(p, "record-category-changed");
            await p.GotoAsync("/Patient?category=letter");
            await Expect(p.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(Badge(p, "Discharge summary")).ToHaveTextAsync("Letter");
            cast.AssertNoBrowserProblems();
        });
    }

    [Fact]
    public async Task ADoctor_SearchesAndFiltersAPatientsRecords_AndViewsOneInsideTheApp_WithDownload()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Dora");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Eli");
            var p = patient.Page;
            var d = doctor.Page;
            var letter = "Referral to cardiology: palpitations since May."u8.ToArray();
            await UploadAsync(p, "Cardiology referral", "referral.txt", "text/plain", letter, "Letter");
            await UploadAsync(p, "Knee MRI still", "knee.png", "image/png", Pixel, "Imaging");
            await UploadAsync(p, "Lipid panel", "lipids.pdf", "application/pdf", SampleFiles.Pdf(2_000), "Lab result");
            await d.AskForAccessAsync(patient.Address!);
            await p.GrantAsync(doctor.Name, 2);

            await d.GotoAsync("/Doctor");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(3);
            await Expect(Badge(d, "Knee MRI still")).ToHaveTextAsync("Imaging");
            var recordsPage = d.Url;

            await d.Locator("#record-filter").GetByLabel("Category").SelectOptionAsync(new SelectOptionValue { Label = "Letter" });
            await d.Locator("#record-filter").GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(d).ToHaveURLAsync(new Regex("category=letter"));
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(d.RecordRow("Cardiology referral")).ToBeVisibleAsync();
            await ScreenshotAsync(d, "doctor-records-filtered");
            await d.AssertAccessibleAsync("doctor: a patient's records, filtered");

            await d.GotoAsync(recordsPage + "?q=panel");
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(1);
            await Expect(d.RecordRow("Lipid panel")).ToBeVisibleAsync();
            await d.GotoAsync(recordsPage + "?q=ultrasound");
            await Expect(d.Locator("#no-records")).ToContainTextAsync("No records match \u201cultrasound\u201d.");
            await ScreenshotAsync(d, "doctor-records-search-empty");
            await d.GotoAsync(recordsPage + "?category=scans");
            await Expect(d.Locator("#filter-problem")).ToContainTextAsync("There is no such category");
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(3);

            // View: the app's page (menu, title, category, Download), the record in a sandboxed frame.
            await d.GotoAsync(recordsPage);
            await d.RecordRow("Cardiology referral").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            await Expect(d).ToHaveURLAsync(DoctorRecordPage());
            await Expect(d.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Cardiology referral");
            await Expect(d.Locator("#record-category-badge")).ToHaveTextAsync("Letter");
            await Expect(d.FrameLocator("#record-view").Locator("body")).ToContainTextAsync("palpitations since May");
            await Expect(d.Locator("#change-category")).ToHaveCountAsync(0);
            await Expect(d.Locator("nav.navbar")).ToBeVisibleAsync();
            await ScreenshotAsync(d, "doctor-record-viewer");
            var download = await d.RunAndWaitForDownloadAsync(() => d.Locator("#record-actions").GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
            Assert.Equal("referral.txt", download.SuggestedFilename);
            Assert.Equal(letter, await File.ReadAllBytesAsync(await download.PathAsync()));

            // The framed content keeps its own policy: sandboxed, not sniffed, not cached.
            var view = await d.APIRequest.GetAsync((await d.Locator("#record-view").GetAttributeAsync("src"))!);
            Assert.Equal(200, view.Status);
            Assert.Contains("sandbox", view.Headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Equal("nosniff", view.Headers["x-content-type-options"]);

            await d.GotoAsync(recordsPage);
            await d.RecordRow("Knee MRI still").GetByRole(AriaRole.Link, new() { Name = "View" }).ClickAsync();
            var image = d.GetByRole(AriaRole.Img, new() { Name = "Knee MRI still" });
            await Expect(image).ToBeVisibleAsync();
            Assert.Equal(1, await image.EvaluateAsync<int>("i => i.decode().then(() => i.naturalWidth)"));
            await d.AssertAccessibleAsync("doctor: record viewer");
            var viewerPage = d.Url;
            await d.GetByRole(AriaRole.Link, new() { Name = "Back to the patient's records" }).ClickAsync();
            await Expect(d.Locator("#records tbody tr")).ToHaveCountAsync(3);

            // Once the grant is revoked the viewer page is refused with the reason, like the list.
            await p.RevokeAsync(doctor.Name);
            var refused = await d.GotoAsync(viewerPage);
            Assert.Equal(403, refused!.Status);
            await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("The patient revoked your access to their records.");
            cast.AssertNoBrowserProblems();
        });
    }

    [Fact]
    public async Task APatient_DownloadsTheExport_WithEveryRecordDecrypted_AndTheHistoryWithTransactionHashes()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Fay");
            var p = patient.Page;
            var pdf = SampleFiles.Pdf(6_000);
            var note = "Allergies: penicillin, latex.\n"u8.ToArray();
            await UploadAsync(p, "Thyroid panel", "thyroid.pdf", "application/pdf", pdf, "Lab result");
            await UploadAsync(p, "Allergy note", "allergy.txt", "text/plain", note, "Letter");
            await UploadAsync(p, "Ankle photo", "ankle.png", "image/png", Pixel, "Imaging");

            // The history lists what the chain's index holds: wait until it has the three additions.
            await p.GotoAsync("/Patient/History");
            await p.ReloadUntilAsync(
                async () => await p.Locator("#history tbody tr").Filter(new() { HasText = "Added" }).CountAsync() == 3, "the three uploads in the history");
            await p.GotoAsync("/Patient");
            await ScreenshotAsync(p, "export-button");
            var download = await p.RunAndWaitForDownloadAsync(() => p.GetByRole(AriaRole.Link, new() { Name = "Download everything (ZIP)" }).ClickAsync());
            Assert.Matches($"^ehrshare-export-{Regex.Escape(patient.Address!)}-\\d{{8}}T\\d{{6}}Z\\.zip$", download.SuggestedFilename);
            Assert.Null(await download.FailureAsync());

            using var zip = ZipFile.OpenRead(await download.PathAsync());
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Equal(["README.txt", "records.csv", "history.csv", "history-auditevents.json"], names.Take(4));
            Assert.DoesNotContain("PROBLEMS.txt", names);

            // Every record decrypted byte for byte, found through records.csv (its category too).
            var records = ExportArchive.CsvRows(zip, "records.csv");
            Assert.Equal(4, records.Count);
            var columns = records[0];
            var byTitle = records.Skip(1).ToDictionary(r => r[columns.IndexOf("title")]);
            Assert.Equal(pdf, ExportArchive.Bytes(zip, byTitle["Thyroid panel"][0]));
            Assert.Equal(note, ExportArchive.Bytes(zip, byTitle["Allergy note"][0]));
            Assert.Equal(Pixel, ExportArchive.Bytes(zip, byTitle["Ankle photo"][0]));
            Assert.Equal("lab-result", byTitle["Thyroid panel"][columns.IndexOf("category")]);

            // The history as CSV, each entry with its transaction; the same entries as FHIR AuditEvents.
            var history = ExportArchive.CsvRows(zip, "history.csv");
            var header = history[0];
            var entries = history.Skip(1).ToList();
            Assert.True(entries.Count >= 3, $"history.csv has {entries.Count} entries");
            Assert.Equal(3, entries.Count(e => e[header.IndexOf("event")] == "RecordAdded"));
            Assert.All(entries, e => Assert.Matches("^0x[0-9a-f]{64}$", e[header.IndexOf("transaction_hash")]));

            using var bundle = JsonDocument.Parse(ExportArchive.Text(zip, "history-auditevents.json"));
            Assert.Equal("Bundle", bundle.RootElement.GetProperty("resourceType").GetString());
            var audits = bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
            Assert.Equal(entries.Count, audits.Count);
            Assert.All(audits, a => Assert.Equal("AuditEvent", a.GetProperty("resourceType").GetString()));
            var auditHashes = audits.Select(a => a.GetProperty("entity").EnumerateArray()
                    .Select(e => e.TryGetProperty("what", out var what) && what.TryGetProperty("identifier", out var id)
                        && id.TryGetProperty("system", out var system) && system.GetString() == "urn:ehrshare:ethereum-transaction"
                        ? id.GetProperty("value").GetString()
                        : null)
                    .Single(v => v is not null)!)
                .Order().ToList();
            Assert.All(auditHashes, h => Assert.Matches(TransactionHash(), h));
            Assert.Equal(entries.Select(e => e[header.IndexOf("transaction_hash")]).Order().ToList(), auditHashes);
            cast.AssertNoBrowserProblems();
        });
    }

    /// <summary>Uploads through the form with a category chosen, and waits until the record is listed.</summary>
    internal static async Task UploadAsync(IPage page, string title, string fileName, string type, byte[] content, string category)
    {
        await page.GotoAsync("/Patient");
        await page.FillUploadAsync(title, fileName, type, content);
        await page.Locator("#upload-form").GetByLabel("Category").SelectOptionAsync(new SelectOptionValue { Label = category });
        await page.UploadButton().ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "is uploaded" })).ToContainTextAsync($"\u201c{title}\u201d is uploaded");
        await Expect(page.RecordRow(title)).ToBeVisibleAsync();
    }

    private static ILocator Badge(IPage page, string title) => page.RecordRow(title).Locator("[data-category]");

    private static Regex SearchFor(string text) => new($"/Patient\\?q={Regex.Escape(text)}&category=$");

    [GeneratedRegex(@"/Doctor/Records/[0-9a-f-]{36}$")]
    private static partial Regex DoctorRecordPage();

    [GeneratedRegex("^0x[0-9a-f]{64}$")]
    private static partial Regex TransactionHash();
}
