using System.Globalization;
using System.Text;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>
/// The patient's History filters (issue 17): by doctor, by kind (allowed, denied, emergency) and by days, read from the
/// chain index; a filter that does not hold is named and the whole history shown; each page says which block it is as of.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class HistoryFilterTests(EhrE2EFixture e2e)
{
    [Fact]
    public async Task History_FiltersByDoctorKindAndDays_AndRefusesAnEndBeforeItsStart()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area);
            var reader = await cast.ApprovedDoctorAsync(admin, "Rita");
            var refused = await cast.ApprovedDoctorAsync(admin, "Omar");
            var p = patient.Page;
            await p.GotoAsync("/Patient");
            await p.UploadAsync("Scan", "scan.txt", "text/plain", Encoding.UTF8.GetBytes("MRI report: no findings\n"));

            // Both doctors are granted; the patient revokes one, whose next read is denied.
            foreach (var doctor in new[] { reader, refused })
            {
                await doctor.Page.GotoAsync("/Doctor");
                await doctor.Page.AskForAccessAsync(patient.Address!);
                await Expect(doctor.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your request went to the patient");
            }

            await p.ClickMenuLinkAsync("Access");
            await p.GrantAsync(reader.Name, 7);
            await p.GrantAsync(refused.Name, 7);
            foreach (var doctor in new[] { reader, refused })
            {
                await doctor.Page.GotoAsync("/Doctor");
                await doctor.Page.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
                await Expect(doctor.Page.RecordRow("Scan")).ToBeVisibleAsync();
            }

            var recordsPage = refused.Page.Url;
            await p.RevokeAsync(refused.Name);
            await Expect(p.DoctorCard(refused.Name)).ToContainTextAsync("Revoked");
            Assert.Equal(403, (await refused.Page.GotoAsync(recordsPage))!.Status);

            // Everything, as of a block.
            await p.ClickMenuLinkAsync("History");
            await Expect(p.Locator("#history-as-of")).ToContainTextAsync("As of block ");
            var rows = p.Locator("#history tbody tr");
            await Expect(rows.Filter(new() { HasText = $"Dr {refused.Name}" }).Filter(new() { HasText = "Denied" }).First).ToBeVisibleAsync();
            await Expect(rows.Filter(new() { HasText = $"Dr {reader.Name}" }).Filter(new() { HasText = "Read" }).First).ToBeVisibleAsync();

            // One doctor: every row is theirs.
            await p.Locator("#filter-doctor").SelectOptionAsync(new SelectOptionValue { Label = "Dr " + reader.Name });
            await p.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(p.Locator("#history-count")).ToContainTextAsync("match");
            Assert.All(await rows.AllInnerTextsAsync(), r => Assert.Contains($"Dr {reader.Name}", r, StringComparison.Ordinal));
            await Expect(rows.Filter(new() { HasText = "Read" }).First).ToBeVisibleAsync();
            await ScreenshotAsync(p, "patient-history-by-doctor");

            // Denied reads only: the revoked doctor's refusal, nothing allowed.
            await p.Locator("#filter-doctor").SelectOptionAsync(new SelectOptionValue { Value = "" });
            await p.Locator("#filter-kind").SelectOptionAsync(new SelectOptionValue { Value = "Denied" });
            await p.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(rows.First).ToContainTextAsync($"Dr {refused.Name}");
            Assert.All(await rows.AllInnerTextsAsync(), r => Assert.Contains("Denied", r, StringComparison.Ordinal));
            await ScreenshotAsync(p, "patient-history-denied");

            // Emergencies: there were none.
            await p.Locator("#filter-kind").SelectOptionAsync(new SelectOptionValue { Value = "Emergency" });
            await p.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(p.Locator("#history-empty")).ToHaveTextAsync("Nothing matches these filters.");

            // Days: around today everything, from the day after tomorrow nothing.
            var today = DateTime.UtcNow.Date;
            await p.Locator("#filter-kind").SelectOptionAsync(new SelectOptionValue { Value = "" });
            await p.Locator("#filter-from").FillAsync(Day(today.AddDays(-1)));
            await p.Locator("#filter-to").FillAsync(Day(today.AddDays(1)));
            await p.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(rows.Filter(new() { HasText = $"Dr {refused.Name}" }).First).ToBeVisibleAsync();
            await Expect(rows.Filter(new() { HasText = "Added" }).First).ToBeVisibleAsync();
            await p.Locator("#filter-from").FillAsync(Day(today.AddDays(2)));
            await p.Locator("#filter-to").FillAsync(Day(today.AddDays(3)));
            await p.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(p.Locator("#history-empty")).ToHaveTextAsync("Nothing matches these filters.");

            // An end before its start is named, and the whole history is shown.
            await p.Locator("#filter-from").FillAsync(Day(today.AddDays(1)));
            await p.Locator("#filter-to").FillAsync(Day(today.AddDays(-1)));
            await p.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(p.Locator("#history-filter-error")).ToContainTextAsync("is before the start date");
            await Expect(rows.Filter(new() { HasText = $"Dr {reader.Name}" }).First).ToBeVisibleAsync();
            await Expect(rows.Filter(new() { HasText = $"Dr {refused.Name}" }).First).ToBeVisibleAsync();
            await ScreenshotAsync(p, "patient-history-filter-refused");

            // A kind typed into the address is named too.
            await p.GotoAsync("/Patient/History?kind=everything");
            await Expect(p.Locator("#history-filter-error")).ToContainTextAsync("Choose all, allowed, denied or emergency.");
            cast.AssertNoBrowserProblems();
        });
    }

    private static string Day(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
