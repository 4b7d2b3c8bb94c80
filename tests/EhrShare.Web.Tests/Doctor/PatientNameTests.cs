using System.Net;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// A doctor learns a patient's name from the patient's grant, never by asking an address: while the request waits,
/// after a denial and after a revocation every doctor page shows the address alone (issue 11, part 3). The patient
/// sees who is asking: the doctor's name, licence number and specialty.
/// </summary>
public sealed class PatientNameTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task AskingAddresses_ShowsNoName_UntilThePatientGrants_AndNoneAfterTheRevocationOrDenial()
    {
        var granting = await World.ApprovedPatientAsync(fixture.App);
        var declining = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor.Email);
        using var g = await SignedInAsync(granting.Email);
        using var x = await SignedInAsync(declining.Email);
        var recordId = await g.UploadRecordAsync("Lab results", "labs.txt", "text/plain", "ok"u8.ToArray());

        foreach (var address in new[] { granting.Address!, declining.Address! })
        {
            using var request = await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = address }, "RequestAccess");
            Assert.Equal(HttpStatusCode.Redirect, request.StatusCode);
        }

        var pending = await PageTextAsync(d, "/Doctor");
        Assert.Contains(granting.Address!, pending, StringComparison.Ordinal);
        Assert.Contains(declining.Address!, pending, StringComparison.Ordinal);
        AssertNoName(pending, granting, declining);

        // Refusal pages while the request waits say nothing about who the patient is either.
        AssertNoName(await PageTextAsync(d, $"/Doctor/Patients/{granting.Id}", HttpStatusCode.Forbidden), granting, declining);

        using (var grant = await g.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant"))
        {
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        using (var deny = await x.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Deny"))
        {
            Assert.Equal(HttpStatusCode.Redirect, deny.StatusCode);
        }

        var dashboard = await d.GetPageAsync("/Doctor");
        Assert.Contains(granting.Name, dashboard.QuerySelector($"#patients tr[data-patient-address='{granting.Address}']")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(declining.Name, dashboard.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains(granting.Name, await PageTextAsync(d, $"/Doctor/Patients/{granting.Id}"), StringComparison.Ordinal);
        AssertNoName(await PageTextAsync(d, $"/Doctor/Patients/{declining.Id}", HttpStatusCode.Forbidden), granting, declining);

        await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 3);
        using (var revoke = await g.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        var revoked = await d.GetPageAsync("/Doctor");
        Assert.Contains("Revoked", revoked.QuerySelector($"#patients tr[data-patient-address='{granting.Address}']")!.TextContent, StringComparison.Ordinal);
        AssertNoName(revoked.Body!.TextContent, granting, declining);
        var refused = await PageTextAsync(d, $"/Doctor/Records/{recordId}/Download", HttpStatusCode.Forbidden);
        Assert.Contains("revoked your access", refused, StringComparison.Ordinal);
        AssertNoName(refused, granting, declining);
    }

    [Fact]
    public async Task ThePatient_SeesTheDoctorsName_Licence_AndSpecialty_OnTheRequest()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor.Email);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        using var p = await SignedInAsync(patient.Email);

        var card = (await p.GetPageAsync("/Patient/Access")).QuerySelector($"[data-doctor='{doctor.Name}']")!;

        Assert.Contains("Dr " + doctor.Name, card.TextContent, StringComparison.Ordinal);
        Assert.Contains("Cardiology", card.TextContent, StringComparison.Ordinal);
        Assert.Equal(await LicenceOfAsync(doctor.Id), card.QuerySelector("[data-licence]")!.TextContent.Trim());
    }

    private static void AssertNoName(string text, params TestUser[] patients)
    {
        foreach (var patient in patients)
        {
            Assert.DoesNotContain(patient.Name, text, StringComparison.Ordinal);
        }
    }

    private static async Task<string> PageTextAsync(WebSession session, string url, HttpStatusCode status = HttpStatusCode.OK) =>
        (await session.GetPageAsync(url, status)).DocumentElement.OuterHtml;

    private async Task<string> LicenceOfAsync(string doctorUserId)
    {
        using var scope = fixture.App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Doctors.AsNoTracking()
            .Where(p => p.UserId == doctorUserId).Select(p => p.LicenceNumber).SingleAsync();
    }

    private async Task<WebSession> SignedInAsync(string email)
    {
        var session = WebSession.For(fixture.App);
        await session.SignInAsync(email, World.Password);
        return session;
    }
}
