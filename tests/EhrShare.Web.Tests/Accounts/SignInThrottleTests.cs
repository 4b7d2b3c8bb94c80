using System.Net;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace EhrShare.Web.Tests.Accounts;

/// <summary>
/// The app with small sign-in limits, where a test names the client address of each request (the in-process test
/// server has none): header <see cref="ClientAddress.Header"/>, read by a middleware added only in test hosts.
/// </summary>
public sealed class ThrottledAppFixture : IAsyncDisposable
{
    public const int FailuresPerAccount = 3;
    public const int AttemptsPerAddress = 12;
    public const int LockoutFailures = 5;

    public ThrottledAppFixture()
    {
        App = new EhrAppFactory(
            new Dictionary<string, string?>
            {
                ["Accounts:SignInFailuresPerAccount"] = FailuresPerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Accounts:SignInAttemptsPerAddress"] = AttemptsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Accounts:LockoutFailures"] = LockoutFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            services =>
            {
                ClientAddress.Register(services);
                services.AddSingleton<ILogEventSink>(Logs);
            });
    }

    public EhrAppFactory App { get; }

    public CapturedLogEvents Logs { get; } = new();

    public WebSession From(string address)
    {
        var session = WebSession.For(App);
        ClientAddress.From(session.Client, address);
        return session;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

public sealed class SignInThrottleTests(ThrottledAppFixture fixture) : IClassFixture<ThrottledAppFixture>
{
    [Fact]
    public async Task WrongPasswordsFromOneAddress_HoldUpThatAddress_NotTheOwnerSigningInFromAnother()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var attacker = fixture.From("198.51.100.1");
        for (var i = 0; i < ThrottledAppFixture.FailuresPerAccount; i++)
        {
            var (status, message) = await TryAsync(attacker, patient.Email, "Wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("The email or password is wrong.", message, StringComparison.Ordinal);
        }

        var (refused, why) = await TryAsync(attacker, patient.Email, World.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Contains("Too many attempts: try again in", why, StringComparison.Ordinal);
        using var owner = fixture.From("198.51.100.2");
        await owner.SignInAsync(patient.Email, World.Password);
    }

    [Fact]
    public async Task AnUnknownEmail_GetsTheSameAnswers_AsAKnownOne()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var knownTries = fixture.From("198.51.100.11");
        using var unknownTries = fixture.From("198.51.100.12");
        var unknown = RegistrationTests.Unique("nobody");

        for (var i = 0; i <= ThrottledAppFixture.FailuresPerAccount; i++)
        {
            var known = await TryAsync(knownTries, patient.Email, "Wrong-password-" + i);
            var nobody = await TryAsync(unknownTries, unknown, "Wrong-password-" + i);
            Assert.Equal(known.Status, nobody.Status);
            Assert.Equal(Normalise(known.Message), Normalise(nobody.Message));
        }
    }

    [Fact]
    public async Task OneAddress_TryingManyAccounts_IsHeldUp()
    {
        using var sprayer = fixture.From("198.51.100.21");
        for (var i = 0; i < ThrottledAppFixture.AttemptsPerAddress; i++)
        {
            var (status, _) = await TryAsync(sprayer, RegistrationTests.Unique("spray"), "Wrong-password-1");
            Assert.Equal(HttpStatusCode.OK, status);
        }

        var (refused, why) = await TryAsync(sprayer, RegistrationTests.Unique("spray"), "Wrong-password-1");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Contains("Too many attempts", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuessesSpreadOverAddresses_LockTheAccount_AsABackstop()
    {
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        for (var i = 0; i < ThrottledAppFixture.LockoutFailures; i++)
        {
            using var bot = fixture.From($"203.0.113.{i + 1}");
            var (status, _) = await TryAsync(bot, doctor.Email, "Wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        using var owner = fixture.From("203.0.113.200");
        var (_, message) = await TryAsync(owner, doctor.Email, World.Password);

        Assert.Contains("locked for a while", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALockedAccount_IsMarkedOnTheUsersPage_AndTheManagerUnlocksIt_AndTheUnlockIsLoggedByIdOnly()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        for (var i = 0; i < ThrottledAppFixture.LockoutFailures; i++)
        {
            using var bot = fixture.From($"192.0.2.{i + 1}");
            await TryAsync(bot, patient.Email, "Wrong-password-" + i);
        }

        using var admin = fixture.From("192.0.2.100");
        await admin.SignInAsAdminAsync();
        var row = (await admin.GetPageAsync("/Users?q=" + Uri.EscapeDataString(patient.Email))).QuerySelector($"tr[data-user-email='{patient.Email}']");
        Assert.NotNull(row);
        Assert.Contains("Locked until", row.TextContent, StringComparison.Ordinal);
        Assert.NotNull((await admin.GetPageAsync("/Users?show=Locked")).QuerySelector($"tr[data-user-email='{patient.Email}']"));

        using var response = await admin.PostAsync($"/Users/Unlock/{patient.Id}", new Dictionary<string, string>(), "/Users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var users = await admin.GetPageAsync("/Users?q=" + Uri.EscapeDataString(patient.Email));
        Assert.Contains("The account is unlocked: its owner can sign in again now.", users.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Locked until", users.QuerySelector($"tr[data-user-email='{patient.Email}']")!.TextContent, StringComparison.Ordinal);
        Assert.Null((await admin.GetPageAsync("/Users?show=Locked")).QuerySelector($"tr[data-user-email='{patient.Email}']"));
        using var owner = fixture.From("192.0.2.200");
        await owner.SignInAsync(patient.Email, World.Password);

        var logged = fixture.Logs.Events.SingleOrDefault(e => CapturedLogEvents.Render(e).Contains("unlocked", StringComparison.Ordinal)
            && CapturedLogEvents.Render(e).Contains(patient.Id, StringComparison.Ordinal));
        Assert.True(logged is not null, string.Join("\n", fixture.Logs.Events.Select(CapturedLogEvents.Render)));
        Assert.DoesNotContain(patient.Email, CapturedLogEvents.Render(logged), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(patient.Name, CapturedLogEvents.Render(logged), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlocking_AnAccountThatIsNotLocked_SaysSo()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var admin = fixture.From("192.0.2.101");
        await admin.SignInAsAdminAsync();

        using var response = await admin.PostAsync($"/Users/Unlock/{patient.Id}", new Dictionary<string, string>(), "/Users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("The account was not locked.", (await admin.GetPageAsync("/Users")).Body!.TextContent, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Message)> TryAsync(WebSession session, string email, string password)
    {
        using var response = await session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        var form = (await WebSession.ParseAsync(response)).QuerySelector("[role=alert]")?.TextContent ?? "";
        return (response.StatusCode, form.Trim());
    }

    // The wait is counted in seconds and may differ by one between two requests.
    private static string Normalise(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"\d+", "N");
}
