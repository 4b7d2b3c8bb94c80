using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Accounts;
using EhrShare.Core.Notifications;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Web.Tests.Doctor;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static EhrShare.Web.Tests.Notifications.NotificationSteps;

namespace EhrShare.Web.Tests.Notifications;

/// <summary>
/// In-app notifications of every kind, through the real use cases, chain and index: who is told, with what words
/// (a doctor never sees a patient's name in them), once where a background part could tell twice, and the navbar badge.
/// </summary>
public sealed class NotificationTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task DoctorsRequest_TellsThePatient_WithTheDoctorsName_TheBadgeCountsIt_AndOpeningMarksItRead()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        using var p = await SignedInAsync(App, patient.Email);
        using var d = await SignedInAsync(App, doctor.Email);
        Assert.Null(await BadgeAsync(p));

        await DoctorAccessTests.RequestAsync(d, patient.Address!);

        var shown = Assert.Single(await ListAsync(p));
        Assert.Equal(nameof(NotificationKind.AccessRequested), shown.Kind);
        Assert.Contains($"Dr {doctor.Name} asked for access", shown.Text, StringComparison.Ordinal);
        Assert.True(shown.Unread);
        // The count, and words for screen readers, on every page's navbar.
        Assert.Equal("1 unread", await BadgeAsync(p, "/Patient"));
        // The doctor is not told of their own request.
        Assert.Empty(await ListAsync(d));

        using (var open = await OpenAsync(p, shown.Id))
        {
            AssertRedirectTo(open, "/Patient/Access");
        }

        Assert.False(Assert.Single(await ListAsync(p)).Unread);
        Assert.Null(await BadgeAsync(p));
    }

    [Fact]
    public async Task GrantDenialAndRevocation_TellTheDoctor_WithThePatientsAddress_NeverTheName()
    {
        var granting = await World.ApprovedPatientAsync(App);
        var denying = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        using var d = await SignedInAsync(App, doctor.Email);
        await DoctorAccessTests.RequestAsync(d, granting.Address!);
        await DoctorAccessTests.RequestAsync(d, denying.Address!);

        await GrantAsync(App, granting, doctor, TimeSpan.FromDays(5));
        await WithAsync(App, s => s.GetRequiredService<RefuseAccess>().DenyAsync(denying.Id, doctor.Id, CancellationToken.None));
        await WithAsync(App, s => s.GetRequiredService<RefuseAccess>().RevokeAsync(granting.Id, doctor.Id, CancellationToken.None));

        var shown = await ListAsync(d);
        Assert.Equal(
            [nameof(NotificationKind.AccessRevoked), nameof(NotificationKind.AccessDenied), nameof(NotificationKind.AccessGranted)],
            shown.Select(n => n.Kind));
        Assert.Contains($"The patient at {granting.Address} granted you access", shown[2].Text, StringComparison.Ordinal);
        Assert.Contains($"The patient at {denying.Address} denied", shown[1].Text, StringComparison.Ordinal);
        Assert.Contains($"The patient at {granting.Address} revoked", shown[0].Text, StringComparison.Ordinal);
        var page = (await d.GetPageAsync("/Notifications")).QuerySelector("main")!.TextContent;
        Assert.DoesNotContain(granting.Name, page, StringComparison.Ordinal);
        Assert.DoesNotContain(denying.Name, page, StringComparison.Ordinal);
        Assert.Equal("3 unread", await BadgeAsync(d, "/Doctor"));

        using (var readAll = await d.SubmitAsync("/Notifications", new Dictionary<string, string>(), "ReadAll"))
        {
            AssertRedirectTo(readAll, "/Notifications");
        }

        Assert.All(await ListAsync(d), n => Assert.False(n.Unread));
        Assert.Null(await BadgeAsync(d));
    }

    [Fact]
    public async Task Emergency_TellsThePatient_AndTheManagers_AndMyRecordsShowsIt()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        await WithAsync(App, s => s.GetRequiredService<DeclareEmergency>().ExecuteAsync(doctor.Id, patient.Address!, "Unconscious after a road accident", CancellationToken.None));

        using var p = await SignedInAsync(App, patient.Email);
        var mine = Assert.Single(await ListAsync(p));
        Assert.Equal(nameof(NotificationKind.EmergencyOnMe), mine.Kind);
        Assert.Contains($"Dr {doctor.Name} declared an emergency", mine.Text, StringComparison.Ordinal);
        // Where a patient lands after signing in: the red notice is there too.
        var records = await p.GetPageAsync("/Patient");
        Assert.Contains($"Dr {doctor.Name}", records.QuerySelector("[data-emergency]")!.TextContent, StringComparison.Ordinal);

        using var admin = WebSession.For(App);
        await admin.SignInAsAdminAsync();
        var told = await WaitForAsync(admin, NotificationKind.EmergencyDeclared, n => n.Text.Contains(doctor.Name, StringComparison.Ordinal), "the manager told of the emergency");
        Assert.Contains($"the patient at {patient.Address}", told.Text, StringComparison.Ordinal);
        using var open = await OpenAsync(admin, told.Id);
        AssertRedirectTo(open, "/Emergencies");
    }

    [Fact]
    public async Task Registration_TellsTheManagers_ThatItWaitsForApproval()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        using var admin = WebSession.For(App);
        await admin.SignInAsAdminAsync();
        await WaitForAsync(admin, NotificationKind.ApprovalPending, n => n.Text.StartsWith($"{patient.Name} registered as a patient", StringComparison.Ordinal), "the manager told of the patient");
        await WaitForAsync(admin, NotificationKind.ApprovalPending, n => n.Text.StartsWith($"Dr {doctor.Name} (Cardiology) registered as a doctor", StringComparison.Ordinal), "the manager told of the doctor");
    }

    [Fact]
    public async Task GrantEndingWithinADay_TellsItsDoctorOnce_HoweverOftenTheCheckRuns_AndALongerGrantTellsNobody()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var ending = await World.ApprovedDoctorAsync(App);
        var lasting = await World.ApprovedDoctorAsync(App);
        using (var e = await SignedInAsync(App, ending.Email))
        {
            await DoctorAccessTests.RequestAsync(e, patient.Address!);
        }

        using (var l = await SignedInAsync(App, lasting.Email))
        {
            await DoctorAccessTests.RequestAsync(l, patient.Address!);
        }

        await GrantAsync(App, patient, ending, TimeSpan.FromHours(3));
        await GrantAsync(App, patient, lasting, TimeSpan.FromDays(3));

        // The check reads grants from the chain index: run it until the index has the grant.
        await Support.Eventually.WaitForAsync(
            async () =>
            {
                await WithAsync(App, s => s.GetRequiredService<GrantExpiryCheck>().RunAsync(CancellationToken.None));
                return await CountAsync(ending.Id, NotificationKind.GrantExpiringSoon);
            },
            n => n > 0,
            "the doctor told that the grant ends soon");
        await WithAsync(App, s => s.GetRequiredService<GrantExpiryCheck>().RunAsync(CancellationToken.None));
        await WithAsync(App, s => s.GetRequiredService<GrantExpiryCheck>().RunAsync(CancellationToken.None));

        Assert.Equal(1, await CountAsync(ending.Id, NotificationKind.GrantExpiringSoon));
        Assert.Equal(0, await CountAsync(lasting.Id, NotificationKind.GrantExpiringSoon));
        using var d = await SignedInAsync(App, ending.Email);
        var shown = (await ListAsync(d)).Single(n => n.Kind == nameof(NotificationKind.GrantExpiringSoon));
        Assert.Contains($"the patient at {patient.Address} ends on", shown.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(patient.Name, shown.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suspension_TellsTheDoctor_OnceFromTheChainIndex()
    {
        var doctor = await World.ApprovedDoctorAsync(App);
        await WithAsync(App, async s =>
        {
            await s.GetRequiredService<UserAdministration>().SuspendAsync(doctor.Id, CancellationToken.None);
            return true;
        });

        using var d = await SignedInAsync(App, doctor.Email);
        var told = await WaitForAsync(d, NotificationKind.Suspended, _ => true, "the doctor told of the suspension");
        Assert.StartsWith("Suspended by the EHR manager", told.Text, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(doctor.Id, NotificationKind.Suspended));
    }

    [Fact]
    public async Task ShareNodeProblems_TellTheManagers_OncePerNodeAndHour()
    {
        var node = "node-" + Guid.NewGuid().ToString("N")[..8];
        var reports = App.Services.GetRequiredService<ShareNodeReports>();
        reports.Report(new ShareProblem(ShareProblemKind.Missing, node, Guid.NewGuid(), "no share"));
        reports.Report(new ShareProblem(ShareProblemKind.Corrupt, node, Guid.NewGuid(), "bad checksum"));
        await reports.FlushAsync(CancellationToken.None);
        reports.Report(new ShareProblem(ShareProblemKind.Missing, node, Guid.NewGuid(), "no share"));
        await reports.FlushAsync(CancellationToken.None);

        using var admin = WebSession.For(App);
        await admin.SignInAsAdminAsync();
        var told = await WaitForAsync(admin, NotificationKind.ShareNodeProblem, n => n.Text.Contains(node, StringComparison.Ordinal), "the manager told of the node");
        Assert.Contains("1 missing, 1 corrupt", told.Text, StringComparison.Ordinal);
        Assert.Single(await ListAsync(admin), n => n.Text.Contains(node, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnotherUsersNotification_IsNotFound_AndStaysUnread()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var other = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        using (var d = await SignedInAsync(App, doctor.Email))
        {
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
        }

        using var p = await SignedInAsync(App, patient.Email);
        var id = Assert.Single(await ListAsync(p)).Id;
        using var o = await SignedInAsync(App, other.Email);
        using (var refused = await OpenAsync(o, id))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        Assert.True(Assert.Single(await ListAsync(p)).Unread);
    }

    private Task<int> CountAsync(string userId, NotificationKind kind) =>
        WithAsync(App, s => s.GetRequiredService<EhrDbContext>().Notifications.CountAsync(n => n.UserId == userId && n.Kind == kind));
}
