using System.Net;
using EhrShare.Core.Access;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// A grant ends on its own. The contract decides by its block time and the app by its clock, so the test runs on a
/// stack of its own (<see cref="OwnStackFixture"/>) and moves both clocks past the expiry instead of waiting for it.
/// </summary>
public sealed class GrantExpiryTests(OwnStackFixture fixture) : IClassFixture<OwnStackFixture>
{
    [Fact]
    public async Task AfterTheGrantExpires_TheDoctorIsRefused_WithTheExpiryAsTheReason()
    {
        var app = fixture.App;
        var patient = await World.ApprovedPatientAsync(app);
        var doctor = await World.ApprovedDoctorAsync(app);
        using var p = WebSession.For(app);
        await p.SignInAsync(patient.Email, World.Password);
        var recordId = await p.UploadRecordAsync("Lab results", "labs.txt", "text/plain", "glucose 5.1"u8.ToArray());
        using var d = WebSession.For(app);
        await d.SignInAsync(doctor.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        var grantLength = TimeSpan.FromMinutes(2); // the shortest the use case accepts is just over a minute
        var expires = fixture.Clock.GetUtcNow() + grantLength;
        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<GrantAccess>().ExecuteAsync(patient.Id, doctor.Id, expires, CancellationToken.None);
        }

        using (var allowed = await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var dashboard = await d.GetPageAsync("/Doctor");
        Assert.Contains("Granted", dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}']")!.TextContent, StringComparison.Ordinal);

        await fixture.MoveTimeAsync(grantLength + TimeSpan.FromSeconds(5));
        Assert.True(await fixture.Chain.LatestBlockTimeAsync() > expires, "the chain's latest block is after the expiry");

        await DoctorAccessTests.AssertRefusedAsync(d, $"/Doctor/Records/{recordId}/Download", "Your access to this patient's records expired on");
        dashboard = await d.GetPageAsync("/Doctor");
        Assert.Contains("Expired", dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}']")!.TextContent, StringComparison.Ordinal);
        Assert.Null(dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}'] a[href^='/Doctor/Patients/']"));
    }
}
