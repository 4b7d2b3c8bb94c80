using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Notifications;
using EhrShare.Web.Tests.Accounts;
using EhrShare.Web.Tests.Doctor;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static EhrShare.Web.Tests.Notifications.NotificationSteps;

namespace EhrShare.Web.Tests.Notifications;

/// <summary>
/// Notification emails as a real SMTP server (python3-aiosmtpd on loopback) received them: the kind of event and a link
/// to the app, no names or addresses; each user turns kinds off on the settings page, and bad settings change nothing.
/// </summary>
public sealed class NotificationMailTests(MailAppFixture fixture) : IClassFixture<MailAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task Request_MailsThePatient_TheKindAndALink_WithoutNamesOrAddresses()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        using (var d = await SignedInAsync(App, doctor.Email))
        {
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
        }

        var mail = Assert.Single(await MailsToAsync(patient.Email, 1));
        Assert.Equal("EhrShare: A doctor asks for access", mail.Subject);
        var body = mail.TextBody;
        Assert.Contains("A doctor asked for access to your records.", body, StringComparison.Ordinal);
        Assert.Contains("http://ehr.test.invalid/Notifications", body, StringComparison.Ordinal);
        Assert.Contains("http://ehr.test.invalid/Notifications/Settings", body, StringComparison.Ordinal);
        foreach (var secret in new[] { doctor.Name, patient.Name, patient.Address!, doctor.Email })
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Grant_MailsTheDoctor_WithoutThePatientsNameOrAddress()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        using (var d = await SignedInAsync(App, doctor.Email))
        {
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
        }

        await GrantAsync(App, patient, doctor, TimeSpan.FromDays(2));

        var mail = Assert.Single(await MailsToAsync(doctor.Email, 1));
        Assert.Equal("EhrShare: Access granted", mail.Subject);
        Assert.Contains("A patient granted you access to their records.", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(patient.Name, mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(patient.Address!, mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKindTurnedOff_IsNotMailed_ButStillShownInTheApp_AndTheOthersStillCome()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var asking = await World.ApprovedDoctorAsync(App);
        var urgent = await World.ApprovedDoctorAsync(App);
        using var p = await SignedInAsync(App, patient.Email);
        var settings = await p.GetPageAsync("/Notifications/Settings");
        Assert.NotNull(settings.QuerySelector("#mail-AccessRequested[checked]"));
        Assert.NotNull(settings.QuerySelector("#mail-EmergencyOnMe[checked]"));
        // Unchecking a box sends only the checked ones.
        using (var saved = await p.PostAsync("/Notifications/Settings", new Dictionary<string, string> { ["mail"] = nameof(NotificationKind.EmergencyOnMe) }, "/Notifications/Settings"))
        {
            AssertRedirectTo(saved, "/Notifications/Settings");
        }

        settings = await p.GetPageAsync("/Notifications/Settings");
        Assert.Null(settings.QuerySelector("#mail-AccessRequested[checked]"));
        Assert.NotNull(settings.QuerySelector("#mail-EmergencyOnMe[checked]"));

        using (var d = await SignedInAsync(App, asking.Email))
        {
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
        }

        await WithAsync(App, s => s.GetRequiredService<DeclareEmergency>().ExecuteAsync(urgent.Id, patient.Address!, "Collapsed at the pharmacy counter", CancellationToken.None));

        // Mail goes out in order, one queue: once the emergency's mail is in, the request's would have been before it.
        var mails = await MailsToAsync(patient.Email, 1);
        Assert.Equal("EhrShare: Emergency access to my records", Assert.Single(mails).Subject);
        Assert.Equal(
            [nameof(NotificationKind.EmergencyOnMe), nameof(NotificationKind.AccessRequested)],
            (await ListAsync(p)).Select(n => n.Kind));
    }

    [Fact]
    public async Task SettingsWithAnUnknownKind_OrAnotherRolesKind_AreRefused_AndChangeNothing()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var p = await SignedInAsync(App, patient.Email);
        foreach (var bad in new[] { "NoSuchKind", "999", nameof(NotificationKind.AccessGranted) })
        {
            using (var refused = await p.PostAsync("/Notifications/Settings", new Dictionary<string, string> { ["mail"] = bad }, "/Notifications/Settings"))
            {
                AssertRedirectTo(refused, "/Notifications/Settings");
            }

            var page = await p.GetPageAsync("/Notifications/Settings");
            Assert.Contains("Choose among the kinds listed", page.QuerySelector(".alert-danger")!.TextContent, StringComparison.Ordinal);
            Assert.NotNull(page.QuerySelector("#mail-AccessRequested[checked]"));
            Assert.NotNull(page.QuerySelector("#mail-EmergencyOnMe[checked]"));
        }
    }

    [Fact]
    public async Task SettingsPage_ListsOnlyTheUsersOwnKinds()
    {
        var doctor = await World.ApprovedDoctorAsync(App);
        using var d = await SignedInAsync(App, doctor.Email);
        var page = await d.GetPageAsync("/Notifications/Settings");
        Assert.Equal(
            ["AccessGranted", "AccessDenied", "AccessRevoked", "GrantExpiringSoon", "Suspended"],
            page.QuerySelectorAll("input[name=mail]").Select(i => i.GetAttribute("value")));
        Assert.Null(page.QuerySelector("#mail-unavailable"));
        using var anonymous = WebSession.For(App);
        using var redirected = await anonymous.Client.GetAsync("/Notifications/Settings");
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages to <paramref name="to"/> arrived and returns them all.</summary>
    private async Task<IReadOnlyList<MimeMessage>> MailsToAsync(string to, int count) =>
        await Support.Eventually.WaitForAsync(
            () => Task.FromResult<IReadOnlyList<MimeMessage>>(fixture.Smtp.Messages()
                .Select(raw => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw))))
                .Where(m => m.To.Mailboxes.Any(a => a.Address == to)).ToList()),
            m => m.Count >= count,
            $"{count} mail(s) to {to}");
}
