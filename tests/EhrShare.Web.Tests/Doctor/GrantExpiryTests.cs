using System.Net;
using EhrShare.Core.Access;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// A grant ends on its own. The shortest grant the use case accepts is just over a minute, so this test waits that
/// long in real time (in parallel with the other classes); the chain's clock is never moved, since other tests share it.
/// </summary>
public sealed class GrantExpiryTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task AfterTheGrantExpires_TheDoctorIsRefused_WithTheExpiryAsTheReason()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        var recordId = await p.UploadRecordAsync("Lab results", "labs.txt", "text/plain", "glucose 5.1"u8.ToArray());
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        var expires = DateTimeOffset.UtcNow.AddSeconds(70);
        using (var scope = fixture.App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccessManagement>().GrantAsync(patient.Id, doctor.Id, expires, CancellationToken.None);
        }

        using (var allowed = await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));
        await Chain.MineAsync(); // a block after the expiry: the contract's view sees the new time

        await DoctorAccessTests.AssertRefusedAsync(d, $"/Doctor/Records/{recordId}/Download", "Your access to this patient's records expired on");
        var dashboard = await d.GetPageAsync("/Doctor");
        Assert.Contains("Expired", dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}']")!.TextContent, StringComparison.Ordinal);
        Assert.Null(dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}'] a[href^='/Doctor/Patients/']"));
    }
}
