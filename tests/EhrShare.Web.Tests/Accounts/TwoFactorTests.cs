using System.Net;
using EhrShare.Core.Users;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serilog.Core;

namespace EhrShare.Web.Tests.Accounts;

/// <summary>The app, with what it logs captured (keys and codes must never be in it).</summary>
public sealed class TwoFactorAppFixture : IAsyncDisposable
{
    public TwoFactorAppFixture()
    {
        App = new EhrAppFactory(null, services => services.AddSingleton<ILogEventSink>(Logs));
    }

    public EhrAppFactory App { get; }

    public CapturedLogEvents Logs { get; } = new();

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>
/// Two-factor sign-in with an authenticator app: the phone is played by <see cref="Authenticator"/>, which computes the
/// codes from the key the set-up page shows, as the app does from the QR code.
/// </summary>
public sealed class TwoFactorTests(TwoFactorAppFixture fixture) : IClassFixture<TwoFactorAppFixture>
{
    [Fact]
    public async Task SetUp_ShowsAQrCodeAndTheKey_IsConfirmedWithACode_AndShowsTenRecoveryCodesOnce()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = await SignedInAsync(patient.Email);
        var before = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Equal("off", before.QuerySelector("[data-two-factor-status]")?.GetAttribute("data-two-factor-status"));
        using (var begin = await session.SubmitAsync("/Account/TwoFactor", new Dictionary<string, string>(), "BeginTwoFactor"))
        {
            Assert.Equal(HttpStatusCode.Redirect, begin.StatusCode);
        }

        using var setUpPage = await session.Client.GetAsync("/Account/TwoFactor");
        var page = await WebSession.ParseAsync(setUpPage);
        var qr = page.QuerySelector("img[alt='QR code for your authenticator app']")?.GetAttribute("src") ?? "";
        Assert.StartsWith("data:image/png;base64,", qr, StringComparison.Ordinal);
        Assert.True(setUpPage.Headers.CacheControl?.NoStore, "The page with the key must not be cached.");
        var key = page.QuerySelector("[data-authenticator-key]")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        Assert.Matches("^[A-Z2-7]{32}$", key);

        using var wrong = await session.SubmitAsync("/Account/TwoFactor", new Dictionary<string, string> { ["Code"] = WrongCodeFor(key) }, "EnableTwoFactor");
        Assert.Contains("That code is wrong or has expired", (await WebSession.ParseAsync(wrong)).Body!.TextContent, StringComparison.Ordinal);
        Assert.False(await TwoFactorEnabledAsync(patient.Id));

        using var enable = await session.SubmitAsync("/Account/TwoFactor", new Dictionary<string, string> { ["Code"] = Authenticator.CodeFor(key) }, "EnableTwoFactor");
        var shown = await WebSession.ParseAsync(enable);
        var codes = shown.QuerySelectorAll("[data-recovery-codes] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        Assert.True(enable.Headers.CacheControl?.NoStore, "The page with the recovery codes must not be cached.");
        Assert.True(await TwoFactorEnabledAsync(patient.Id));

        var after = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Equal("on", after.QuerySelector("[data-two-factor-status]")?.GetAttribute("data-two-factor-status"));
        Assert.Equal("10", after.QuerySelector("[data-recovery-codes-left]")?.TextContent.Trim());
        Assert.DoesNotContain(codes[0], after.Body!.OuterHtml, StringComparison.Ordinal);
        Assert.Null(after.QuerySelector("[data-authenticator-key]"));
        AssertNeverLogged([key, .. codes]);
    }

    [Fact]
    public async Task SignIn_AfterThePassword_AsksForTheCode_WithoutRememberingTheBrowser_AndTheCodeSignsIn()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var setUp = await SetUpForAsync(patient.Email);
        using var session = WebSession.For(fixture.App);

        using (var password = await PasswordAsync(session, patient.Email))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
            Assert.StartsWith("/Account/TwoFactorSignIn", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        // The password alone opens nothing.
        using (var notYet = await session.Client.GetAsync("/Account/Security"))
        {
            Assert.Equal(HttpStatusCode.Redirect, notYet.StatusCode);
            Assert.StartsWith("/Account/Login", notYet.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }

        var codePage = await session.GetPageAsync("/Account/TwoFactorSignIn");
        Assert.Empty(codePage.QuerySelectorAll("main input[type=checkbox]"));
        Assert.DoesNotContain("remember", codePage.QuerySelector("main")!.TextContent, StringComparison.OrdinalIgnoreCase);
        using var code = await session.SubmitAsync("/Account/TwoFactorSignIn", new Dictionary<string, string> { ["Code"] = Authenticator.CodeFor(setUp.Key) });

        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.Equal("/Dashboard", code.Headers.Location!.OriginalString);
        var cookies = code.Headers.TryGetValues("Set-Cookie", out var set) ? string.Join("\n", set) : "";
        Assert.Contains("ehrshare.auth=", cookies, StringComparison.Ordinal);
        Assert.DoesNotContain("TwoFactorRememberMe", cookies, StringComparison.Ordinal);
        await session.GetPageAsync("/Account/Security");
    }

    [Fact]
    public async Task WrongCodes_AreRefusedWithAClearMessage_CountTowardTheLockout_AndHoldUpTheAddress()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var setUp = await SetUpForAsync(patient.Email);
        var failuresPerAccount = fixture.App.Services.GetRequiredService<IOptions<Core.Accounts.AccountOptions>>().Value.SignInFailuresPerAccount;
        using var session = WebSession.For(fixture.App);
        using (var password = await PasswordAsync(session, patient.Email))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        }

        for (var i = 1; i <= failuresPerAccount; i++)
        {
            using var wrong = await session.SubmitAsync("/Account/TwoFactorSignIn", new Dictionary<string, string> { ["Code"] = WrongCodeFor(setUp.Key) });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("That code is wrong or has expired", (await WebSession.ParseAsync(wrong)).Body!.TextContent, StringComparison.Ordinal);
            Assert.Equal(i, await AccessFailedCountAsync(patient.Id));
        }

        using var held = await session.SubmitAsync("/Account/TwoFactorSignIn", new Dictionary<string, string> { ["Code"] = Authenticator.CodeFor(setUp.Key) });
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        Assert.Contains("Too many attempts: try again in", (await WebSession.ParseAsync(held)).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARecoveryCode_SignsInOnce_AndNeverAgain()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var setUp = await SetUpForAsync(patient.Email);

        using (var first = WebSession.For(fixture.App))
        {
            using var response = await RecoveryCodeSignInAsync(first, patient.Email, setUp.RecoveryCodes[0]);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Dashboard", response.Headers.Location!.OriginalString);
            var security = await first.GetPageAsync("/Account/Security");
            Assert.Contains("It cannot be used again; 9 left.", security.Body!.TextContent, StringComparison.Ordinal);
        }

        using (var again = WebSession.For(fixture.App))
        {
            using var response = await RecoveryCodeSignInAsync(again, patient.Email, setUp.RecoveryCodes[0]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("That recovery code is wrong or has already been used.", (await WebSession.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
            Assert.Equal(1, await AccessFailedCountAsync(patient.Id));
        }

        using var typedLoosely = WebSession.For(fixture.App);
        using var another = await RecoveryCodeSignInAsync(typedLoosely, patient.Email, setUp.RecoveryCodes[1].Replace("-", " ", StringComparison.Ordinal).ToLowerInvariant());
        Assert.Equal(HttpStatusCode.Redirect, another.StatusCode);
        Assert.Equal(8, await RecoveryCodesLeftAsync(patient.Id));
    }

    [Fact]
    public async Task TurningOff_AsksForACodeOrThePassword_ThenSignInAsksForThePasswordOnly_AndTheOldKeyIsWorthless()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = await SignedInAsync(patient.Email);
        var setUp = await session.SetUpTwoFactorAsync();

        using (var wrong = await session.SubmitAsync("/Account/TwoFactor", new Dictionary<string, string> { ["CodeOrPassword"] = "Not-the-password-1" }, "DisableTwoFactor"))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("That is not your password, nor a current code", (await WebSession.ParseAsync(wrong)).Body!.TextContent, StringComparison.Ordinal);
            Assert.True(await TwoFactorEnabledAsync(patient.Id));
        }

        using (var off = await session.SubmitAsync("/Account/TwoFactor", new Dictionary<string, string> { ["CodeOrPassword"] = World.Password }, "DisableTwoFactor"))
        {
            Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        }

        Assert.False(await TwoFactorEnabledAsync(patient.Id));
        Assert.Equal(0, await RecoveryCodesLeftAsync(patient.Id));
        Assert.Contains("Two-factor sign-in is off.", (await session.GetPageAsync("/Account/TwoFactor")).Body!.TextContent, StringComparison.Ordinal);
        using var later = WebSession.For(fixture.App);
        using var password = await PasswordAsync(later, patient.Email);
        Assert.Equal("/Dashboard", password.Headers.Location!.OriginalString);
        using var scope = fixture.App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(patient.Id))!;
        Assert.False(await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, Authenticator.CodeFor(setUp.Key)));
    }

    [Fact]
    public async Task NewRecoveryCodes_AfterACurrentCode_ReplaceTheOldOnes()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var session = await SignedInAsync(patient.Email);
        var setUp = await session.SetUpTwoFactorAsync();

        using var renew = await session.SubmitAsync("/Account/TwoFactor", new Dictionary<string, string> { ["CodeOrPassword"] = Authenticator.CodeFor(setUp.Key) }, "NewRecoveryCodes");

        Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        var renewed = (await WebSession.ParseAsync(renew)).QuerySelectorAll("[data-recovery-codes] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(10, renewed.Count);
        Assert.Empty(renewed.Intersect(setUp.RecoveryCodes));
        using (var old = WebSession.For(fixture.App))
        {
            using var refused = await RecoveryCodeSignInAsync(old, patient.Email, setUp.RecoveryCodes[0]);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        using var fresh = WebSession.For(fixture.App);
        using var accepted = await RecoveryCodeSignInAsync(fresh, patient.Email, renewed[0]);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        AssertNeverLogged(renewed);
    }

    [Fact]
    public async Task TurningItOn_KeepsThisSession_AndEndsTheOtherSessions()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var phone = WebSession.For(fixture.App);
        using var desktop = WebSession.For(fixture.App);
        var phoneCookie = await AuthCookie.SignInCapturingAsync(phone, patient.Email);
        await AuthCookie.SignInCapturingAsync(desktop, patient.Email);

        await desktop.SetUpTwoFactorAsync();

        await AuthCookie.AssertSentToSignInAsync(fixture.App, phoneCookie, "/Patient");
        await desktop.GetPageAsync("/Patient");
        Assert.Contains("Two-factor sign-in is <strong>on</strong>", (await desktop.GetPageAsync("/Account/Security")).Body!.InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AManagerWithoutIt_IsSentToTheSetUp_FromEveryPage_WithTheReason_UntilItIsOn()
    {
        var manager = await NewManagerAsync();
        using var session = await SignedInAsync(manager.Email);

        foreach (var path in new[] { "/Dashboard", "/Approvals", "/Users", "/Areas", "/Monitor", "/Account/Security", "/health" })
        {
            using var response = await session.Client.GetAsync(path);
            Assert.True(
                response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/Account/TwoFactor",
                $"{path}: {(int)response.StatusCode} -> {response.Headers.Location}");
        }

        var refusedArea = "Refused area " + Guid.NewGuid().ToString("N")[..8];
        using (var post = await session.PostAsync("/Areas/Create", new Dictionary<string, string> { ["NewArea.Name"] = refusedArea }, "/Account/TwoFactor"))
        {
            Assert.Equal("/Account/TwoFactor", post.Headers.Location?.OriginalString);
        }

        using (var scope = fixture.App.Services.CreateScope())
        {
            var areas = await scope.ServiceProvider.GetRequiredService<Core.Areas.AreaManagement>().ListAsync(openOnly: false, CancellationToken.None);
            Assert.DoesNotContain(areas, a => a.Name == refusedArea);
        }

        var page = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Contains("Set up two-factor sign-in to continue.", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("The EHR manager's account must use two-factor sign-in.", page.Body.TextContent, StringComparison.Ordinal);

        await session.SetUpTwoFactorAsync();

        await session.GetPageAsync("/Approvals");
    }

    [Fact]
    public async Task ADoctor_MayChoose_UnlessTheServerRequiresIt_ThenIsSentToTheSetUp()
    {
        var optional = await World.ApprovedDoctorAsync(fixture.App);
        using (var session = await SignedInAsync(optional.Email))
        {
            await session.GetPageAsync("/Doctor");
        }

        await using var requiring = new EhrAppFactory(new Dictionary<string, string?> { ["Accounts:RequireTwoFactorForDoctors"] = "true" });
        var doctor = await World.ApprovedDoctorAsync(requiring);
        var patient = await World.ApprovedPatientAsync(requiring);
        using var doctorSession = WebSession.For(requiring);
        await doctorSession.SignInAsync(doctor.Email, World.Password);
        using var patientSession = WebSession.For(requiring);
        await patientSession.SignInAsync(patient.Email, World.Password);

        using (var sent = await doctorSession.Client.GetAsync("/Doctor"))
        {
            Assert.Equal("/Account/TwoFactor", sent.Headers.Location?.OriginalString);
        }

        var page = await doctorSession.GetPageAsync("/Account/TwoFactor");
        Assert.Contains("This server requires doctors to use two-factor sign-in.", page.Body!.TextContent, StringComparison.Ordinal);
        await patientSession.GetPageAsync("/Patient");
        await doctorSession.SetUpTwoFactorAsync();
        await doctorSession.GetPageAsync("/Doctor");
    }

    [Fact]
    public void RequireTwoFactorForDoctors_ThatIsNotTrueOrFalse_StopsTheAppAtStart_NamingTheSetting()
    {
        using var app = new EhrAppFactory(new Dictionary<string, string?> { ["Accounts:RequireTwoFactorForDoctors"] = "sometimes" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Accounts:RequireTwoFactorForDoctors", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A 6-digit code that no step near now gives for <paramref name="key"/>.</summary>
    private static string WrongCodeFor(string key)
    {
        var now = DateTime.UtcNow;
        var near = Enumerable.Range(-4, 9).Select(step => Authenticator.CodeFor(key, now.AddSeconds(30 * step))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(code => !near.Contains(code));
    }

    private async Task<WebSession> SignedInAsync(string email)
    {
        var session = WebSession.For(fixture.App);
        await session.SignInAsync(email, World.Password);
        return session;
    }

    private async Task<TwoFactorSetUp> SetUpForAsync(string email)
    {
        using var session = await SignedInAsync(email);
        return await session.SetUpTwoFactorAsync();
    }

    private static Task<HttpResponseMessage> PasswordAsync(WebSession session, string email) =>
        session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = World.Password });

    private static async Task<HttpResponseMessage> RecoveryCodeSignInAsync(WebSession session, string email, string recoveryCode)
    {
        using (var password = await PasswordAsync(session, email))
        {
            Assert.StartsWith("/Account/TwoFactorSignIn", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        return await session.SubmitAsync("/Account/RecoveryCodeSignIn", new Dictionary<string, string> { ["RecoveryCode"] = recoveryCode });
    }

    private async Task<TestUser> NewManagerAsync()
    {
        // A second manager account, made as the seeder makes the first (the app has no page for it).
        using var scope = fixture.App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var email = $"manager-{Guid.NewGuid():N}@example.test";
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Second manager", Status = UserStatus.Approved };
        Assert.True((await users.CreateAsync(user, World.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.Admin)).Succeeded);
        return new TestUser(user.Id, email, user.DisplayName, null);
    }

    private Task<bool> TwoFactorEnabledAsync(string userId) => WithUserAsync(userId, (users, user) => users.GetTwoFactorEnabledAsync(user));

    private Task<int> AccessFailedCountAsync(string userId) => WithUserAsync(userId, (users, user) => users.GetAccessFailedCountAsync(user));

    private Task<int> RecoveryCodesLeftAsync(string userId) => WithUserAsync(userId, (users, user) => users.CountRecoveryCodesAsync(user));

    private async Task<T> WithUserAsync<T>(string userId, Func<UserManager<ApplicationUser>, ApplicationUser, Task<T>> read)
    {
        using var scope = fixture.App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await read(users, (await users.FindByIdAsync(userId))!);
    }

    private void AssertNeverLogged(IEnumerable<string> secrets)
    {
        var logged = string.Join("\n", fixture.Logs.Events.Select(e => CapturedLogEvents.Render(e) + " " + string.Join(" ", e.Properties.Values)));
        Assert.NotEmpty(fixture.Logs.Events);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logged, StringComparison.OrdinalIgnoreCase);
        }
    }
}
