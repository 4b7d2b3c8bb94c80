using System.Globalization;
using System.Text.RegularExpressions;
using EhrShare.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using static EhrShare.EndToEnd.Tests.Support.Screenshots;
using static Microsoft.Playwright.Assertions;

namespace EhrShare.EndToEnd.Tests.DailyUse;

/// <summary>Times read in the user's own time zone (the browser's), UTC on hover, and "2 h ago" where it helps.</summary>
[Collection(E2ECollection.Name)]
public sealed partial class TimeTests(EhrE2EFixture e2e)
{
    /// <summary>UTC+5:30 all year: a local time that cannot be mistaken for UTC, in hours or minutes.</summary>
    private const string Zone = "Asia/Kolkata";

    private static readonly TimeSpan Offset = TimeSpan.FromMinutes(330);

    [Fact]
    public async Task TimesShowInTheBrowsersTimeZone_WithUtcOnHover_AndRecentOnesAsRelative()
    {
        var area = await e2e.OpenAreaAsync();
        await e2e.OnEachDeviceAsync(async admin =>
        {
            await using var cast = new Cast(e2e, DeviceOf(admin)) { TimezoneId = Zone };
            await admin.SignInAsAdminAsync();
            var patient = await cast.ApprovedPatientAsync(admin, area, "Nia");
            var doctor = await cast.ApprovedDoctorAsync(admin, "Omar");
            var p = patient.Page;
            await p.UploadAsync("Blood count", "count.txt", "text/plain", "Hb 14.1"u8.ToArray());

            // A record added moments ago: relative, with the local time and UTC on hover.
            var added = p.RecordRow("Blood count").Locator("time");
            await Expect(added).ToHaveTextAsync(JustNow());
            var utc = ParseUtc(await added.GetAttributeAsync("datetime"));
            var title = await added.GetAttributeAsync("title");
            Assert.Contains(utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC", title, StringComparison.Ordinal);
            Assert.Contains(Local(utc), title, StringComparison.Ordinal);
            Assert.Contains("GMT+5:30", title, StringComparison.Ordinal);
            await ScreenshotAsync(p, "times-records");

            // An absolute time: the local clock, UTC on hover.
            await p.RecordRow("Blood count").GetByRole(AriaRole.Link, new() { Name = "Remove" }).ClickAsync();
            var when = p.GetByRole(AriaRole.Main).Locator("time");
            await Expect(when).ToContainTextAsync(Local(utc));
            await Expect(when).ToHaveAttributeAsync("title", utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC");

            // A request just made and a grant ending in 3 days, on the patient's Access page.
            await doctor.Page.AskForAccessAsync(patient.Address!);
            await p.GotoAsync("/Patient/Access");
            await Expect(p.DoctorCard(doctor.Name).Locator("time")).ToHaveTextAsync(JustNow());
            await p.GrantAsync(doctor.Name, 3);
            await Expect(p.DoctorCard(doctor.Name).Locator("time")).ToHaveTextAsync(InThreeDays());
            await ScreenshotAsync(p, "times-access");
            cast.AssertNoBrowserProblems();
        });
    }

    private static DateTimeOffset ParseUtc(string? iso) =>
        DateTimeOffset.Parse(iso ?? throw new InvalidOperationException("no datetime attribute"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The local hour and minute, as the page writes them (en-GB, 24 h).</summary>
    private static string Local(DateTimeOffset utc) => utc.ToOffset(Offset).ToString("HH:mm", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(just now|\d+ (sec|min)\.? ago)$")]
    private static partial Regex JustNow();

    [GeneratedRegex(@"^in [23] days$")]
    private static partial Regex InThreeDays();
}
