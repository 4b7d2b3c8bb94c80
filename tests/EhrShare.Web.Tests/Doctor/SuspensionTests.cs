using System.Net;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// Three refused attempts (the contract's threshold) suspend a doctor: every page says so, and even a granted
/// patient's records are refused until the admin lifts the penalty.
/// </summary>
public sealed class SuspensionTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task ThreeDenials_SuspendTheDoctor_EveryPageSaysSo_AndLiftingThePenaltyRestoresAccess()
    {
        var granting = await World.ApprovedPatientAsync(fixture.App);
        var stranger = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var g = await SignedInAsync(granting.Email);
        var granted = await g.UploadRecordAsync("Granted record", "granted.txt", "text/plain", "allowed"u8.ToArray());
        using var s = await SignedInAsync(stranger.Email);
        var foreign = await s.UploadRecordAsync("Foreign record", "foreign.txt", "text/plain", "not yours"u8.ToArray());
        using var d = await SignedInAsync(doctor.Email);
        await DoctorAccessTests.RequestAsync(d, granting.Address!);
        using (await g.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "5", ["Unit"] = "Days" }, "Grant"))
        {
        }

        using (var before = await d.Client.GetAsync($"/Doctor/Records/{granted}/Download"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var denied = await d.Client.GetAsync($"/Doctor/Records/{foreign}/Download");
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        await Eventually.WaitForAsync(() => Chain.StandingAsync(fixture.App, doctor.Id), a => a.Suspended, "the doctor suspended on the chain");
        await Eventually.WaitForAsync(async () => (await d.GetPageAsync("/Doctor")).QuerySelector("#suspended-banner") is not null, b => b, "the banner on the doctor's page");

        foreach (var (url, status) in new[]
                 {
                     ("/Doctor", HttpStatusCode.OK),
                     ($"/Doctor/Patients/{granting.Id}", HttpStatusCode.Forbidden),
                     ($"/Doctor/Records/{granted}/Download", HttpStatusCode.Forbidden),
                     ("/Account/AccessDenied", HttpStatusCode.Forbidden),
                     ("/no-such-page", HttpStatusCode.NotFound),
                 })
        {
            var page = await d.GetPageAsync(url, status);
            var banner = page.QuerySelector("#suspended-banner");
            Assert.True(banner is not null, $"no suspension banner on {url}");
            Assert.Contains("suspended", banner!.TextContent, StringComparison.Ordinal);
            Assert.Contains("its penalties reached 3", banner.TextContent, StringComparison.Ordinal);
        }

        using (var refused = await d.Client.GetAsync($"/Doctor/Records/{granted}/Download"))
        {
            Assert.Contains("Your account is suspended", (await WebSession.ParseAsync(refused)).QuerySelector("main p.lead")!.TextContent, StringComparison.Ordinal);
        }

        using (var request = await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = stranger.Address! }, "RequestAccess"))
        {
            Assert.Equal(HttpStatusCode.OK, request.StatusCode);
            var error = (await WebSession.ParseAsync(request)).QuerySelector("[data-valmsg-for='Request.PatientAddress']")!.TextContent;
            Assert.False(string.IsNullOrWhiteSpace(error), "a suspended doctor's request must say why it failed");
        }

        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        var users = await admin.GetPageAsync("/Users?q=" + Uri.EscapeDataString(doctor.Email));
        var row = users.QuerySelector($"tr[data-user-email='{doctor.Email}']")!;
        Assert.Contains("Suspended", row.TextContent, StringComparison.Ordinal);
        // Three to get suspended; the attempts refused while suspended add none (they would suspend the doctor again
        // once the penalty is lifted, as their logs may be mined after it).
        Assert.Contains("3 penalties", row.TextContent, StringComparison.Ordinal);
        using (var lift = await admin.SubmitAsync("/Users?q=" + Uri.EscapeDataString(doctor.Email), new Dictionary<string, string>(), "LiftPenalty"))
        {
            Assert.Equal(HttpStatusCode.Redirect, lift.StatusCode);
        }

        Assert.Contains("penalties are cleared", (await admin.GetPageAsync("/Users")).QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        await Eventually.WaitForAsync(async () => (await d.GetPageAsync("/Doctor")).QuerySelector("#suspended-banner") is null, gone => gone, "the banner gone");
        Assert.Equal("allowed"u8.ToArray(), await d.Client.GetByteArrayAsync($"/Doctor/Records/{granted}/Download"));
    }

    /// <summary>
    /// A doctor the manager suspended is told it was the manager, from the contract's cause, never "after 0 denied
    /// attempts": on the banner of every page and on a refusal.
    /// </summary>
    [Fact]
    public async Task ASuspensionByTheManager_IsWordedAsTheManagersAction()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var p = await SignedInAsync(patient.Email);
        var record = await p.UploadRecordAsync("Granted record", "granted.txt", "text/plain", "allowed"u8.ToArray());
        using var d = await SignedInAsync(doctor.Email);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "5", ["Unit"] = "Days" }, "Grant"))
        {
        }

        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        using (var suspend = await admin.SubmitAsync("/Users?q=" + Uri.EscapeDataString(doctor.Email), new Dictionary<string, string> { ["confirmed"] = "true" }, "Suspend"))
        {
            Assert.Equal(HttpStatusCode.Redirect, suspend.StatusCode);
        }

        // The suspension ended the doctor's session; signed in again, every page says why.
        using (var ended = await d.Client.GetAsync("/Doctor"))
        {
            Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
            Assert.Contains("/Account/Login", ended.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using var again = await SignedInAsync(doctor.Email);
        var banner = await Eventually.WaitForAsync(
            async () => (await again.GetPageAsync("/Doctor")).QuerySelector("#suspended-banner")?.TextContent,
            text => text is not null,
            "the banner on the doctor's page");
        Assert.Contains("The EHR manager suspended it", banner!, StringComparison.Ordinal);
        Assert.DoesNotContain("attempt", banner!, StringComparison.Ordinal);
        Assert.DoesNotContain("penalties", banner!, StringComparison.Ordinal);

        using var refused = await again.Client.GetAsync($"/Doctor/Records/{record}/Download");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var reason = (await WebSession.ParseAsync(refused)).QuerySelector("main p.lead")!.TextContent;
        Assert.Contains("Your account is suspended. The EHR manager suspended it.", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("repeated", reason, StringComparison.Ordinal);
        Assert.Equal(0u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
    }

    private async Task<WebSession> SignedInAsync(string email)
    {
        var session = WebSession.For(fixture.App);
        await session.SignInAsync(email, World.Password);
        return session;
    }
}
