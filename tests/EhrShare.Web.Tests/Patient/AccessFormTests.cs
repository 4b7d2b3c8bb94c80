using System.Globalization;
using System.Net;
using EhrShare.Core.Chain;
using EhrShare.Web.Tests.Doctor;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Patient;

/// <summary>
/// The patient's answer to a request: a grant for 1 to 365 days or 1 to 8760 hours; a bad value changes nothing and
/// says why. A grant in force can be extended (a later expiry, through the contract), and the doctor sees the expiry.
/// </summary>
public sealed class AccessFormTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Theory]
    [InlineData("0", "Days")]
    [InlineData("-3", "Hours")]
    [InlineData("366", "Days")]
    [InlineData("8761", "Hours")]
    [InlineData("soon", "Days")]
    [InlineData("", "Days")]
    [InlineData("3", "Weeks")]
    [InlineData("3", "")]
    public async Task AGrantWithoutAValidLength_IsRefused_AndTheRequestStillWaits(string duration, string unit)
    {
        var (patient, doctor, p, d) = await RequestedAsync();
        using (d)
        using (p)
        {
            using (var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = duration, ["Unit"] = unit }, "Grant"))
            {
                Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
            }

            var page = await p.GetPageAsync("/Patient/Access");
            Assert.Equal("Choose how long: 1 to 365 days, or 1 to 8760 hours.", page.QuerySelector("[role=alert]")?.TextContent.Trim() ?? "(no error shown)");
            Assert.NotNull(page.QuerySelector($"form[action$='/Grant'] input[value='{doctor.Id}']"));
            Assert.Contains("Nobody can read your records right now.", page.Body!.TextContent, StringComparison.Ordinal);
            Assert.Equal(LedgerPermissionStatus.Requested, (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).Status);
        }
    }

    [Fact]
    public async Task AGrantInHours_EndsThatManyHoursLater_OnTheChain_AndTheDoctorSeesTheExpiry()
    {
        var (patient, doctor, p, d) = await RequestedAsync();
        using (d)
        using (p)
        {
            var before = DateTimeOffset.UtcNow;
            using (var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "5", ["Unit"] = "Hours" }, "Grant"))
            {
                Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
            }

            var after = DateTimeOffset.UtcNow;
            var expires = (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).ExpiresAt!.Value;
            Assert.InRange(expires, before.AddHours(5).AddSeconds(-1), after.AddHours(5));

            // The doctor's list and the patient's records say until when, as UTC for the browser to show in local time.
            var dashboard = await d.GetPageAsync("/Doctor");
            Assert.Equal(Iso(expires), dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}'] time")?.GetAttribute("datetime"));
            var records = await d.GetPageAsync($"/Doctor/Patients/{patient.Id}");
            var ends = records.QuerySelector("#access-ends")!;
            Assert.Contains("lets you read these records until", ends.TextContent, StringComparison.Ordinal);
            Assert.All(ends.QuerySelectorAll("time"), t => Assert.Equal(Iso(expires), t.GetAttribute("datetime")));
        }
    }

    [Fact]
    public async Task ExtendingAGrantInForce_MovesItsExpiryLater_OnTheChain_AndReadsMadeBeforeStayAllowed()
    {
        var (patient, doctor, p, d) = await RequestedAsync();
        using (d)
        using (p)
        {
            var recordId = await p.UploadRecordAsync("Lab results", "labs.txt", "text/plain", "glucose 5.1"u8.ToArray());
            using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "2", ["Unit"] = "Hours" }, "Grant"))
            {
            }

            var first = (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).ExpiresAt!.Value;
            using (var read = await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
            {
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }

            using (var extend = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Extend"))
            {
                Assert.Equal(HttpStatusCode.Redirect, extend.StatusCode);
            }

            var page = await p.GetPageAsync("/Patient/Access");
            Assert.Contains($"Dr {doctor.Name} may now read your records until", page.QuerySelector("[role=status]")?.TextContent ?? "(no message)", StringComparison.Ordinal);
            var extended = await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id);
            Assert.Equal(LedgerPermissionStatus.Granted, extended.Status);
            Assert.Equal(first.AddDays(3), extended.ExpiresAt);
            Assert.Equal(Iso(extended.ExpiresAt!.Value), page.QuerySelector($"[data-doctor='{doctor.Name}'] time")?.GetAttribute("datetime"));
            var records = await d.GetPageAsync($"/Doctor/Patients/{patient.Id}");
            Assert.Equal(Iso(extended.ExpiresAt!.Value), records.QuerySelector("#access-ends time")?.GetAttribute("datetime"));

            // The read before the extension and the list after it reach the chain as allowed: one grant, moved later.
            var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
            Assert.All(attempts, a => Assert.True(a.ChainAllowed));
        }
    }

    [Fact]
    public async Task AnExtensionPastAYear_OrOfNoGrantInForce_IsRefused_AndChangesNothing()
    {
        var (patient, doctor, p, d) = await RequestedAsync();
        using (d)
        using (p)
        {
            using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "30", ["Unit"] = "Days" }, "Grant"))
            {
            }

            var granted = await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id);
            using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "360", ["Unit"] = "Days" }, "Extend"))
            {
            }

            var page = await p.GetPageAsync("/Patient/Access");
            Assert.Contains("more than a year from now; nothing was changed", page.QuerySelector("[role=alert]")?.TextContent ?? "(no error shown)", StringComparison.Ordinal);
            Assert.Equal(granted.ExpiresAt, (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).ExpiresAt);

            using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "0", ["Unit"] = "Hours" }, "Extend"))
            {
            }

            page = await p.GetPageAsync("/Patient/Access");
            Assert.Equal("Choose how long: 1 to 365 days, or 1 to 8760 hours.", page.QuerySelector("[role=alert]")?.TextContent.Trim());

            using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
            {
            }

            // No Extend form is left for a revoked grant; a forged one is refused by the use case.
            page = await p.GetPageAsync("/Patient/Access");
            Assert.Null(page.QuerySelector("form[action$='/Extend']"));
            using (await p.PostAsync("/Patient/Extend", new Dictionary<string, string> { ["DoctorId"] = doctor.Id, ["Duration"] = "1", ["Unit"] = "Days" }, "/Patient/Access"))
            {
            }

            page = await p.GetPageAsync("/Patient/Access");
            Assert.Contains($"Dr {doctor.Name} has no access in force to extend; nothing was changed.", page.QuerySelector("[role=alert]")?.TextContent ?? "(no error shown)", StringComparison.Ordinal);
            Assert.Equal(LedgerPermissionStatus.Revoked, (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).Status);
        }
    }

    private async Task<(TestUser Patient, TestUser Doctor, WebSession PatientSession, WebSession DoctorSession)> RequestedAsync()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        return (patient, doctor, p, d);
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
