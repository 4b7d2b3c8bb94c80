using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.Sharing;

/// <summary>
/// A patient's gateway posts heart rate and blood pressure readings through the FHIR API; the granted doctor sees them
/// charted over time (Chart.js, served by the app) with the readings as tables, the patient sees their own, and once
/// access is revoked the doctor's chart page is refused like the records.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class VitalSignsTests(EhrE2EFixture e2e)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 7, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task AGrantedDoctor_SeesTheGatewaysReadingsAsChartsAndTables_AndThePatientTheirOwn()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = Cast.For(e2e, admin);
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area);
            var doctor = await cast.ApprovedDoctorAsync(admin);
            var p = patient.Page;
            var d = doctor.Page;

            var gateway = await Gateway.RegisterAsync(p, "Bedside hub");
            int[] rates = [62, 71, 88, 67, 74];
            (int, int)[] pressures = [(128, 84), (121, 79), (135, 88), (118, 76)];
            await gateway.PostBundleAsync(e2e.App.BaseAddress, Gateway.VitalsBundle(
                rates.Select((bpm, i) => (Start.AddDays(i), bpm)),
                pressures.Select((bp, i) => (Start.AddDays(i).AddMinutes(2), bp.Item1, bp.Item2))));

            await d.AskForAccessAsync(patient.Address!);
            await p.GrantAsync(doctor.Name, 7);

            await d.GotoAsync("/Doctor");
            await d.PatientRow(patient.Address!).GetByRole(AriaRole.Link, new() { Name = "Records" }).ClickAsync();
            await d.GetByRole(AriaRole.Link, new() { Name = "Vital signs chart" }).ClickAsync();
            await Expect(d.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Vital signs of {patient.Name}");
            await ExpectChartAsync(d, "heart-rate", [rates.Length]);
            await ExpectChartAsync(d, "blood-pressure", [pressures.Length, pressures.Length]);
            await Expect(d.GetByRole(AriaRole.Img, new() { Name = "Heart rate chart" })).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("5 readings .* between 62 and 88 beats per minute; the latest 74"));

            // The text alternative: every reading in a table, oldest first.
            await d.GetByText("Heart rate readings as a table (5)").ClickAsync();
            await d.GetByText("Blood pressure readings as a table (4)").ClickAsync();
            await Expect(d.Locator("#heart-rate-table tbody tr td:nth-child(2)")).ToHaveTextAsync(rates.Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            await Expect(d.Locator("#blood-pressure-table tbody tr").First).ToContainTextAsync("128");
            await Expect(d.Locator("#blood-pressure-table tbody tr").Last).ToContainTextAsync("76");
            await d.AssertAccessibleAsync("the vital signs page");
            await ScreenshotAsync(d, "doctor-vitals");

            await p.GotoAsync("/Patient");
            await p.GetByRole(AriaRole.Link, new() { Name = "Vital signs chart" }).ClickAsync();
            await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My vital signs");
            await ExpectChartAsync(p, "heart-rate", [rates.Length]);
            await ScreenshotAsync(p, "patient-vitals");

            var vitalsPage = d.Url;
            await p.RevokeAsync(doctor.Name);
            var refused = await d.GotoAsync(vitalsPage);
            Assert.Equal(403, refused!.Status);
            await Expect(d.GetByRole(AriaRole.Main)).ToContainTextAsync("The patient revoked your access to their records.");
            cast.AssertNoBrowserProblems();
        });
    }

    /// <summary>The chart was drawn by Chart.js with one point per table row, per series.</summary>
    private static async Task ExpectChartAsync(IPage page, string chart, int[] pointsPerSeries)
    {
        var canvas = page.Locator($"canvas[data-vitals-chart='{chart}']");
        await Expect(canvas).ToHaveAttributeAsync("data-drawn", "true");
        var counts = await canvas.EvaluateAsync<int[]>("c => Chart.getChart(c).data.datasets.map(s => s.data.length)");
        Assert.Equal(pointsPerSeries, counts);
        var box = await canvas.BoundingBoxAsync();
        Assert.True(box is { Width: > 200, Height: > 150 }, $"the {chart} chart is {box?.Width}x{box?.Height}");
    }
}
