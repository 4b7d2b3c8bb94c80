using System.Net;
using System.Text.RegularExpressions;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using MimeKit;

namespace EhrShare.Web.Tests.Accounts;

/// <summary>The app with mail sent to a real SMTP server on loopback (python3-aiosmtpd) that keeps what it receives.</summary>
public sealed class MailAppFixture : IAsyncLifetime
{
    public SmtpSinkProcess Smtp { get; private set; } = null!;

    public EhrAppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Smtp = await SmtpSinkProcess.StartAsync();
        App = new EhrAppFactory(Smtp.AppSettings());
    }

    /// <summary>Waits for the message to <paramref name="to"/> and returns it.</summary>
    public async Task<MimeMessage> MailToAsync(string to)
    {
        var found = await Eventually.WaitForAsync(
            () => Task.FromResult(Smtp.Messages().Select(Parse).FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to))),
            m => m is not null,
            $"a mail to {to}");
        return found!;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    private static MimeMessage Parse(string raw) => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
}

public sealed partial class PasswordTests(MailAppFixture fixture) : IClassFixture<MailAppFixture>
{
    private const string NewPassword = "Violet-lantern-harbour-42";

    [Fact]
    public async Task ChangePassword_EndsEveryOtherSession_KeepsThisOneSignedIn_AndOnlyTheNewPasswordWorks()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var here = WebSession.For(fixture.App);
        using var elsewhere = WebSession.For(fixture.App);
        var oldHereCookie = await AuthCookie.SignInCapturingAsync(here, patient.Email);
        var elsewhereCookie = await AuthCookie.SignInCapturingAsync(elsewhere, patient.Email);

        using var response = await here.SubmitAsync("/Account/ChangePassword", new Dictionary<string, string>
        {
            ["CurrentPassword"] = World.Password,
            ["NewPassword"] = NewPassword,
            ["ConfirmPassword"] = NewPassword,
        }, "ChangePassword");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var newHereCookie = AuthCookie.Capture(response);
        await AuthCookie.AssertSentToSignInAsync(fixture.App, oldHereCookie, "/Patient");
        await AuthCookie.AssertSentToSignInAsync(fixture.App, elsewhereCookie, "/Patient");
        await AuthCookie.AssertOpensAsync(fixture.App, newHereCookie, "/Patient");
        Assert.Contains("Your password is changed", (await here.GetPageAsync("/Account/Security")).Body!.TextContent, StringComparison.Ordinal);
        using var fresh = WebSession.For(fixture.App);
        Assert.Contains("email or password is wrong", await SignInMessageAsync(fresh, patient.Email, World.Password), StringComparison.Ordinal);
        await fresh.SignInAsync(patient.Email, NewPassword);
    }

    public static TheoryData<string, string, string, string> BadChanges() => new()
    {
        { "Wrong-current-password-1", NewPassword, NewPassword, "The current password is wrong." },
        { World.Password, "Password1234!", "Password1234!", "too common" },
        { World.Password, "Short-1a", "Short-1a", "Use at least 12 characters." },
        { World.Password, NewPassword, NewPassword + "x", "The two passwords differ." },
    };

    [Theory]
    [MemberData(nameof(BadChanges))]
    public async Task ChangePassword_WithBadInput_SaysWhy_AndChangesNothing(string current, string next, string repeat, string message)
    {
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var session = WebSession.For(fixture.App);
        var cookie = await AuthCookie.SignInCapturingAsync(session, doctor.Email);

        using var response = await session.SubmitAsync("/Account/ChangePassword", new Dictionary<string, string>
        {
            ["CurrentPassword"] = current,
            ["NewPassword"] = next,
            ["ConfirmPassword"] = repeat,
        }, "ChangePassword");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, (await WebSession.ParseAsync(response)).QuerySelector("main form")!.TextContent, StringComparison.OrdinalIgnoreCase);
        await AuthCookie.AssertOpensAsync(fixture.App, cookie, "/Doctor");
        using var fresh = WebSession.For(fixture.App);
        await fresh.SignInAsync(doctor.Email, World.Password);
    }

    [Fact]
    public async Task ForgotPassword_MailsALinkThatResetsThePasswordOnce_AndEndsEverySession()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var signedIn = WebSession.For(fixture.App);
        var cookie = await AuthCookie.SignInCapturingAsync(signedIn, patient.Email);
        using var session = WebSession.For(fixture.App);

        using var asked = await session.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = patient.Email });

        Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
        var mail = await fixture.MailToAsync(patient.Email);
        Assert.Equal("Reset your EhrShare password", mail.Subject);
        var link = new Uri(LinkPattern().Match(mail.TextBody ?? "").Value);
        Assert.Equal("ehr.test.invalid", link.Host);
        var resetPage = link.PathAndQuery;

        using var reset = await session.SubmitAsync(resetPage, new Dictionary<string, string> { ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        await AuthCookie.AssertSentToSignInAsync(fixture.App, cookie, "/Patient");
        await session.SignInAsync(patient.Email, NewPassword);
        using var again = WebSession.For(fixture.App);
        using var reused = await again.SubmitAsync(resetPage, new Dictionary<string, string> { ["NewPassword"] = "Another-lantern-77", ["ConfirmPassword"] = "Another-lantern-77" });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("invalid, already used or expired", (await WebSession.ParseAsync(reused)).Body!.TextContent, StringComparison.Ordinal);
        await again.SignInAsync(patient.Email, NewPassword);
    }

    [Fact]
    public async Task ForgotPassword_ForAnUnknownEmail_AnswersExactlyAsForAKnownOne_AndSendsNothing()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var unknown = RegistrationTests.Unique("nobody");
        using var first = WebSession.For(fixture.App);
        using var second = WebSession.For(fixture.App);

        using var forUnknown = await first.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = unknown });
        using var forKnown = await second.SubmitAsync("/Account/ForgotPassword", new Dictionary<string, string> { ["Email"] = patient.Email });

        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(forKnown.Headers.Location, forUnknown.Headers.Location);
        var unknownPage = (await first.GetPageAsync("/Account/Login")).QuerySelector("main")!.TextContent;
        var knownPage = (await second.GetPageAsync("/Account/Login")).QuerySelector("main")!.TextContent;
        Assert.Equal(knownPage, unknownPage);
        Assert.Contains("If an account uses that address", knownPage, StringComparison.Ordinal);
        await fixture.MailToAsync(patient.Email);
        Assert.DoesNotContain(fixture.Smtp.Messages(), m => m.Contains(unknown, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ResetPassword_WithAForgedToken_IsRefused_AndChangesNothing()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = WebSession.For(fixture.App);

        using var response = await session.SubmitAsync($"/Account/ResetPassword?userId={patient.Id}&token=forged", new Dictionary<string, string>
        {
            ["NewPassword"] = NewPassword,
            ["ConfirmPassword"] = NewPassword,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("invalid, already used or expired", (await WebSession.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        await session.SignInAsync(patient.Email, World.Password);
    }

    private static async Task<string> SignInMessageAsync(WebSession session, string email, string password)
    {
        using var response = await session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        return (await WebSession.ParseAsync(response)).QuerySelector("main form")!.TextContent;
    }

    [GeneratedRegex(@"https?://\S+/Account/ResetPassword\S+")]
    private static partial Regex LinkPattern();
}
