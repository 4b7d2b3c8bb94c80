using System.Net;
using EhrShare.Core.Accounts;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Accounts;

/// <summary>
/// A session ends on the server: after each way of ending it, a copy of the old auth cookie, replayed by another
/// client, is sent to sign in.
/// </summary>
public sealed class SessionTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Logout_MakesACopiedAuthCookieWorthless()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        var cookie = await SignInCapturingCookieAsync(session, patient.Email);
        await AssertCookieOpensAsync(cookie, "/Patient");

        using var logout = await session.PostAsync("/Account/Logout", new Dictionary<string, string>(), "/Patient");
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        await AssertCookieSentToSignInAsync(cookie, "/Patient");
    }

    [Fact]
    public async Task Logout_EndsOnlyThatSession_AnotherDeviceStaysSignedIn()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var phone = WebSession.For(fixture.App);
        using var desktop = WebSession.For(fixture.App);
        var phoneCookie = await SignInCapturingCookieAsync(phone, patient.Email);
        var desktopCookie = await SignInCapturingCookieAsync(desktop, patient.Email);

        using var logout = await phone.PostAsync("/Account/Logout", new Dictionary<string, string>(), "/Patient");

        await AssertCookieSentToSignInAsync(phoneCookie, "/Patient");
        await AssertCookieOpensAsync(desktopCookie, "/Patient");
    }

    [Fact]
    public async Task SignOutEverywhere_ByTheUser_EndsEverySession()
    {
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var first = WebSession.For(fixture.App);
        using var second = WebSession.For(fixture.App);
        var firstCookie = await SignInCapturingCookieAsync(first, doctor.Email);
        var secondCookie = await SignInCapturingCookieAsync(second, doctor.Email);

        using var response = await first.SubmitAsync("/Account/Security", new Dictionary<string, string>(), "SignOutEverywhere");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await AssertCookieSentToSignInAsync(firstCookie, "/Doctor");
        await AssertCookieSentToSignInAsync(secondCookie, "/Doctor");
        var home = await first.GetPageAsync("/");
        Assert.Contains("signed out on every device", home.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOutEverywhere_ByTheManager_EndsTheUsersSessions_NotTheManagers()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        var cookie = await SignInCapturingCookieAsync(session, patient.Email);
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();

        using var response = await admin.PostAsync($"/Users/SignOutEverywhere/{patient.Id}", new Dictionary<string, string>(), "/Users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var users = await admin.GetPageAsync("/Users");
        Assert.Contains("signed out on every device (1 session ended)", users.Body!.TextContent, StringComparison.Ordinal);
        await AssertCookieSentToSignInAsync(cookie, "/Patient");
    }

    [Fact]
    public async Task Suspension_EndsTheUsersSessions()
    {
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        var cookie = await SignInCapturingCookieAsync(session, doctor.Email);
        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();

        using var response = await admin.PostAsync($"/Users/Suspend/{doctor.Id}", new Dictionary<string, string> { ["confirmed"] = "true" }, "/Users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("suspended", (await admin.GetPageAsync("/Users")).Body!.TextContent, StringComparison.Ordinal);
        await AssertCookieSentToSignInAsync(cookie, "/Doctor");
    }

    [Fact]
    public async Task Rejection_EndsThePendingUsersSessions()
    {
        var area = await fixture.CreateAreaAsync();
        var email = RegistrationTests.Unique("rejected");
        using var session = WebSession.For(fixture.App);
        using (var registered = await session.SubmitAsync("/Account/RegisterPatient", RegistrationTests.PatientForm(email, area.Id)))
        {
            Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        }

        using var signedIn = WebSession.For(fixture.App);
        var cookie = await SignInCapturingCookieAsync(signedIn, email);
        await AssertCookieOpensAsync(cookie, "/Account/Pending");
        string userId;
        using (var scope = fixture.App.Services.CreateScope())
        {
            var pending = await scope.ServiceProvider.GetRequiredService<ApproveUser>().ListPendingAsync(CancellationToken.None);
            userId = pending.Single(p => p.Email == email).UserId;
        }

        using var admin = WebSession.For(fixture.App);
        await admin.SignInAsAdminAsync();
        using var response = await admin.PostAsync($"/Approvals/Reject/{userId}", new Dictionary<string, string> { ["confirmed"] = "true" }, "/Approvals");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await AssertCookieSentToSignInAsync(cookie, "/Account/Pending");
    }

    private Task<string> SignInCapturingCookieAsync(WebSession session, string email) => AuthCookie.SignInCapturingAsync(session, email);

    private Task AssertCookieOpensAsync(string cookie, string path) => AuthCookie.AssertOpensAsync(fixture.App, cookie, path);

    private Task AssertCookieSentToSignInAsync(string cookie, string path) => AuthCookie.AssertSentToSignInAsync(fixture.App, cookie, path);
}
