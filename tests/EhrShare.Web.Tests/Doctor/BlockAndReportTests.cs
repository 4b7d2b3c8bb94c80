using System.Net;
using EhrShare.Core.Chain;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// A patient blocks a doctor (the waiting request is declined on the chain and no further request reaches the patient;
/// the doctor is told neutrally, without the patient's identity), unblocks, and reports a request to the EHR manager,
/// who sees it in a list (issue 11, part 3).
/// </summary>
public sealed class BlockAndReportTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task ABlockedDoctor_CannotReachThePatient_IsToldNeutrally_AndCanAskAgainOnceUnblocked()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor.Email);
        using var p = await SignedInAsync(patient.Email);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);

        using (var block = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string>(), "Block"))
        {
            Assert.Equal(HttpStatusCode.Redirect, block.StatusCode);
        }

        var access = await p.GetPageAsync("/Patient/Access");
        Assert.Contains("You blocked Dr " + doctor.Name, access.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(access.QuerySelector($"#blocked [data-doctor='{doctor.Name}']"));
        Assert.Equal(LedgerPermissionStatus.Denied, (await PermissionAsync(patient, doctor)).Status);
        Assert.Contains("Declined", (await d.GetPageAsync("/Doctor")).QuerySelector($"#patients tr[data-patient-address='{patient.Address}']")!.TextContent, StringComparison.Ordinal);

        using (var again = await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = patient.Address! }, "RequestAccess"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var page = await WebSession.ParseAsync(again);
            var message = page.QuerySelector("[data-valmsg-for='Request.PatientAddress']")!.TextContent;
            Assert.Contains($"The patient at {patient.Address} does not accept requests from you", message, StringComparison.Ordinal);
            Assert.DoesNotContain(patient.Name, page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        }

        Assert.Equal(LedgerPermissionStatus.Denied, (await PermissionAsync(patient, doctor)).Status);
        Assert.Empty((await p.GetPageAsync("/Patient/Access")).QuerySelectorAll("form[action*='Grant']"));

        using (var unblock = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string>(), "Unblock"))
        {
            Assert.Equal(HttpStatusCode.Redirect, unblock.StatusCode);
        }

        Assert.Null((await p.GetPageAsync("/Patient/Access")).QuerySelector("#blocked"));
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        Assert.Equal(LedgerPermissionStatus.Requested, (await PermissionAsync(patient, doctor)).Status);
    }

    [Fact]
    public async Task AReportedRequest_ReachesTheManagersList_OncePerDoctor()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor.Email);
        using var p = await SignedInAsync(patient.Email);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);

        var tooLong = new string('x', 501);
        using (var refused = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Comment"] = tooLong }, "Report"))
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        }

        Assert.Contains("500 characters", (await p.GetPageAsync("/Patient/Access")).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await ReportCountAsync(patient));

        const string note = "I do not know this doctor and never met them.";
        using (var report = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Comment"] = note }, "Report"))
        {
            Assert.Equal(HttpStatusCode.Redirect, report.StatusCode);
        }

        var page = await p.GetPageAsync("/Patient/Access");
        Assert.Contains("went to the EHR manager", page.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Reported to the manager", page.QuerySelector($"[data-doctor='{doctor.Name}']")!.TextContent, StringComparison.Ordinal);

        using (var twice = await p.PostAsync("/Patient/Report", new Dictionary<string, string> { ["doctorId"] = doctor.Id, ["Comment"] = "again" }, "/Patient/Access"))
        {
            Assert.Equal(HttpStatusCode.Redirect, twice.StatusCode);
        }

        Assert.Contains("already reported", (await p.GetPageAsync("/Patient/Access")).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, await ReportCountAsync(patient));

        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        var row = (await admin.GetPageAsync("/Reports")).QuerySelector($"#reports tr[data-doctor-email='{doctor.Email}']")!;
        Assert.Contains(note, row.TextContent, StringComparison.Ordinal);
        Assert.Contains(patient.Name, row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Dr " + doctor.Name, row.TextContent, StringComparison.Ordinal);

        // Only the manager sees the list.
        using (var asDoctor = await d.Client.GetAsync("/Reports"))
        {
            Assert.NotEqual(HttpStatusCode.OK, asDoctor.StatusCode);
        }
    }

    [Fact]
    public async Task ADoctorWhoNeverAsked_CannotBeReportedOrBlocked()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var p = await SignedInAsync(patient.Email);

        foreach (var action in new[] { "/Patient/Report", "/Patient/Block" })
        {
            using (var response = await p.PostAsync(action, new Dictionary<string, string> { ["doctorId"] = doctor.Id }, "/Patient/Access"))
            {
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            }

            Assert.Contains("has not asked you for access", (await p.GetPageAsync("/Patient/Access")).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        }

        using var scope = fixture.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        Assert.Equal(0, await db.RequestReports.CountAsync(r => r.PatientUserId == patient.Id));
        Assert.Equal(0, await db.DoctorBlocks.CountAsync(b => b.PatientUserId == patient.Id));
    }

    private async Task<int> ReportCountAsync(TestUser patient)
    {
        using var scope = fixture.App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().RequestReports.CountAsync(r => r.PatientUserId == patient.Id);
    }

    private async Task<LedgerPermission> PermissionAsync(TestUser patient, TestUser doctor)
    {
        using var scope = fixture.App.Services.CreateScope();
        var accounts = scope.ServiceProvider.GetRequiredService<EhrDbContext>().ChainAccounts.AsNoTracking();
        var patientAccount = await accounts.Where(a => a.UserId == patient.Id).Select(a => a.Address).SingleAsync();
        var doctorAccount = await accounts.Where(a => a.UserId == doctor.Id).Select(a => a.Address).SingleAsync();
        return await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetPermissionAsync(patientAccount, doctorAccount, CancellationToken.None);
    }

    private async Task<WebSession> SignedInAsync(string email)
    {
        var session = WebSession.For(fixture.App);
        await session.SignInAsync(email, World.Password);
        return session;
    }
}
