using System.Net;
using EhrShare.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Accounts;

public sealed class RegistrationTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private const string Password = "Correct-horse-9";

    [Fact]
    public async Task RegisterPatient_WithValidDetails_CreatesAPendingAccountThatCanOnlySeeItIsPending()
    {
        var area = await fixture.CreateAreaAsync();
        using var session = WebSession.For(fixture.App);
        var email = Unique("patient");

        using var response = await session.SubmitAsync("/Account/RegisterPatient", PatientForm(email, area.Id));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Pending", response.Headers.Location?.OriginalString);
        var pending = await session.GetPageAsync("/Account/Pending");
        Assert.Contains("waiting for the administrator", pending.Body!.TextContent, StringComparison.Ordinal);

        using var scope = fixture.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Infrastructure.Persistence.EhrDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.Equal(UserStatus.Pending, user.Status);
        var profile = await db.Patients.SingleAsync(p => p.UserId == user.Id);
        Assert.Equal(area.Id, profile.AreaId);
        Assert.Null(profile.Pid);
        Assert.True(await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().IsInRoleAsync(user, Roles.Patient));

        // A pending account cannot reach role pages.
        using var dashboard = await session.Client.GetAsync("/Dashboard");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        using var areas = await session.Client.GetAsync("/Areas");
        Assert.Equal(HttpStatusCode.Redirect, areas.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", areas.Headers.Location?.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterDoctor_WithValidDetails_CreatesAPendingDoctor()
    {
        using var session = WebSession.For(fixture.App);
        var email = Unique("doctor");

        using var response = await session.SubmitAsync("/Account/RegisterDoctor", DoctorForm(email, "LIC-" + Guid.NewGuid().ToString("N")[..8]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        using var scope = fixture.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Infrastructure.Persistence.EhrDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.True(await db.Doctors.AnyAsync(d => d.UserId == user.Id));
    }

    public static TheoryData<string, string, string> BadPatientInputs() => new()
    {
        { "FullName", "", "Enter your full name" },
        { "Email", "not-an-email", "valid email" },
        { "Password", "short", "at least 12" },
        { "Password", "Short-pass1", "at least 12" },
        { "Password", "Aa9" + new string('x', 126), "at most 128" },
        { "Password", "Password1234", "too common" },
        { "Password", "P@ssw0rd2024!", "too common" },
        { "Password", "Qwerty123456", "too common" },
        { "Password", "alllowercase-only", "upper" },
        { "ConfirmPassword", "Something-else-9", "differ" },
        { "DateOfBirth", "2999-01-01", "between 1900 and today" },
        { "AreaId", "999999", "Choose one of the areas" },
    };

    [Theory]
    [MemberData(nameof(BadPatientInputs))]
    public async Task RegisterPatient_WithBadInput_ShowsAClearMessageAndCreatesNothing(string field, string value, string message)
    {
        var area = await fixture.CreateAreaAsync();
        using var session = WebSession.For(fixture.App);
        var email = Unique("bad");
        var form = PatientForm(email, area.Id);
        form[field] = value;
        if (field == "Password")
        {
            form["ConfirmPassword"] = value;
        }

        using var response = await session.SubmitAsync("/Account/RegisterPatient", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(response);
        Assert.Contains(message, page.QuerySelector("form")!.TextContent, StringComparison.OrdinalIgnoreCase);
        using var scope = fixture.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Infrastructure.Persistence.EhrDbContext>();
        Assert.False(await db.Users.AnyAsync(u => u.Email == email || u.Email == value));
    }

    [Fact]
    public async Task Register_WithAnEmailAlreadyUsed_SaysSoAndKeepsTheFirstAccount()
    {
        var area = await fixture.CreateAreaAsync();
        var email = Unique("twice");
        using (var first = WebSession.For(fixture.App))
        {
            using var ok = await first.SubmitAsync("/Account/RegisterPatient", PatientForm(email, area.Id));
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        }

        using var second = WebSession.For(fixture.App);
        using var response = await second.SubmitAsync("/Account/RegisterDoctor", DoctorForm(email, "LIC-" + Guid.NewGuid().ToString("N")[..8]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("already exists", (await WebSession.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        using var scope = fixture.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Infrastructure.Persistence.EhrDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.False(await db.Doctors.AnyAsync(d => d.UserId == user.Id));
    }

    [Fact]
    public async Task Login_AfterFiveWrongPasswords_RefusesEvenTheRightPasswordFromThatClientForAWhile()
    {
        var area = await fixture.CreateAreaAsync();
        var email = Unique("lockout");
        using (var register = WebSession.For(fixture.App))
        {
            using var ok = await register.SubmitAsync("/Account/RegisterPatient", PatientForm(email, area.Id));
        }

        using var session = WebSession.For(fixture.App);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = "Wrong-password-1" });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        using var right = await session.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("Too many attempts", (await WebSession.ParseAsync(right)).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRejected()
    {
        using var session = WebSession.For(fixture.App);
        using var response = await session.Client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "a@b.c",
            ["Password"] = "x",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    internal static Dictionary<string, string> PatientForm(string email, int areaId) => new()
    {
        ["FullName"] = "Pat Example",
        ["Email"] = email,
        ["Password"] = Password,
        ["ConfirmPassword"] = Password,
        ["AreaId"] = areaId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DateOfBirth"] = "1980-05-17",
    };

    internal static Dictionary<string, string> DoctorForm(string email, string licence) => new()
    {
        ["FullName"] = "Dr Example",
        ["Email"] = email,
        ["Password"] = Password,
        ["ConfirmPassword"] = Password,
        ["LicenceNumber"] = licence,
        ["Specialty"] = "Cardiology",
    };

    internal static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}@example.test";
}
