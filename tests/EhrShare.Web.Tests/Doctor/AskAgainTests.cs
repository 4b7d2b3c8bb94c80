using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// "Ask again": after a revocation or an expiry a doctor asks the same patient again from their list, at once; after a
/// denial only once the cool-down (AccessRequests:DeniedRequestCooldown, 3 days by default) has passed, which the list
/// and the refusal both state. The patient sees who asks: name, licence and specialty, from the app database.
/// </summary>
public sealed class AskAgainTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task AfterARevocation_TheDoctorAsksAgainFromTheirList_AndThePatientSeesWhoAsks()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "1", ["Unit"] = "Days" }, "Grant"))
        {
        }

        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
        }

        var row = await RowAsync(d, patient.Address!);
        Assert.Contains("Revoked", row.TextContent, StringComparison.Ordinal);
        using (var again = await AskAgainAsync(d, patient.Address!))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        Assert.Equal(LedgerPermissionStatus.Requested, (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).Status);
        Assert.Contains("Pending", (await RowAsync(d, patient.Address!)).TextContent, StringComparison.Ordinal);

        var card = (await p.GetPageAsync("/Patient/Access")).QuerySelector($"form[action$='/Grant'] input[value='{doctor.Id}']")!.Closest(".card")!;
        var (licence, specialty) = await ProfileAsync(doctor.Id);
        Assert.Contains($"Dr {doctor.Name}", card.TextContent, StringComparison.Ordinal);
        Assert.Equal(licence, card.QuerySelector("[data-licence]")!.TextContent);
        Assert.Contains(specialty, card.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterADenial_AskingAgainWaitsForTheCooldown_AsTheListAndTheRefusalSay_AndSendsNothing()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        var before = DateTimeOffset.UtcNow;
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Deny"))
        {
        }

        var after = DateTimeOffset.UtcNow;
        var row = await RowAsync(d, patient.Address!);
        Assert.Contains("Declined", row.TextContent, StringComparison.Ordinal);
        Assert.Null(row.QuerySelector("form[action$='/RequestAccess']"));
        var askAfter = DateTimeOffset.Parse(row.QuerySelector("[data-ask-again-after] time")!.GetAttribute("datetime")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(askAfter, before.AddDays(3).AddSeconds(-1), after.AddDays(3).AddSeconds(1));

        using var refused = await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = patient.Address! }, "RequestAccess");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var message = (await WebSession.ParseAsync(refused)).QuerySelector("[data-valmsg-for='Request.PatientAddress']")!.TextContent;
        Assert.Matches(@"^The patient at \d+-\d+ declined your request on \d{4}-\d\d-\d\d \d\d:\d\d UTC; you can ask them again after \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Nothing was sent\.$", message);
        Assert.Equal(LedgerPermissionStatus.Denied, (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).Status);
        using var scope = fixture.App.Services.CreateScope();
        var rows = await scope.ServiceProvider.GetRequiredService<EhrDbContext>().AccessRequests.AsNoTracking()
            .Where(r => r.DoctorUserId == doctor.Id).ToListAsync();
        var only = Assert.Single(rows); // the refused request left nothing behind
        Assert.Equal(AccessRequestAnswer.Denied, only.Answer);
    }

    private static async Task<AngleSharp.Dom.IElement> RowAsync(WebSession doctor, string address) =>
        (await doctor.GetPageAsync("/Doctor")).QuerySelector($"#patients tr[data-patient-address='{address}']")
        ?? throw new InvalidOperationException($"No row for {address} on the doctor's list");

    /// <summary>Posts the row's own "Ask again" form (the address it carries), as its button does.</summary>
    private static async Task<HttpResponseMessage> AskAgainAsync(WebSession doctor, string address)
    {
        var form = (await RowAsync(doctor, address)).QuerySelector("form[action$='/RequestAccess']")
            ?? throw new InvalidOperationException($"No Ask again button for {address}");
        Assert.Equal("Ask again", form.QuerySelector("button")!.TextContent.Trim());
        var carried = form.QuerySelector("input[name='Request.PatientAddress']")!.GetAttribute("value")!;
        return await doctor.PostAsync("/Doctor/RequestAccess", new Dictionary<string, string> { ["Request.PatientAddress"] = carried }, "/Doctor");
    }

    private async Task<(string Licence, string Specialty)> ProfileAsync(string doctorUserId)
    {
        using var scope = fixture.App.Services.CreateScope();
        var profile = await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Doctors.AsNoTracking().SingleAsync(x => x.UserId == doctorUserId);
        return (profile.LicenceNumber, profile.Specialty);
    }
}
