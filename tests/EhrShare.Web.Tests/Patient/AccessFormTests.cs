using System.Net;
using EhrShare.Web.Tests.Doctor;

namespace EhrShare.Web.Tests.Patient;

/// <summary>The patient's answer to a request: a grant needs 1 to 365 days; a bad value changes nothing and says why.</summary>
public sealed class AccessFormTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("366")]
    [InlineData("soon")]
    [InlineData("")]
    public async Task AGrantWithoutAValidNumberOfDays_IsRefused_AndTheRequestStillWaits(string days)
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);

        using (var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Days"] = days }, "Grant"))
        {
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        var page = await p.GetPageAsync("/Patient/Access");
        Assert.Contains("Choose for how many days (1 to 365)", page.QuerySelector("[role=alert]")?.TextContent ?? "(no error shown)", StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector($"form[action$='/Grant'] input[value='{doctor.Id}']"));
        Assert.Contains("Nobody can read your records right now.", page.Body!.TextContent, StringComparison.Ordinal);
    }
}
