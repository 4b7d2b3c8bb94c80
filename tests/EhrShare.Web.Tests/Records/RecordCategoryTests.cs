using System.Net;
using EhrShare.Core.Records;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Records;

/// <summary>Categories chosen at upload and changed later (bad values refused, changing nothing), and the doctor's
/// record viewer page: decided by the contract, with only its content logged as the read.</summary>
public sealed class RecordCategoryTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task AnUnknownCategory_IsRefusedAtUploadAndOnChange_AndChangesNothing()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);

        using (var refused = await p.UploadWithCategoryAsync("Blood test", "blood.txt", "text/plain", "Hb 14"u8.ToArray(), "x-ray"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(RecordCategories.Rule, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await RecordSteps.CommittedRecordCountAsync(fixture.App, patient.Id));
        using (var kept = await p.UploadWithCategoryAsync("Blood test", "blood.txt", "text/plain", "Hb 14"u8.ToArray(), "lab-result"))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        var id = Guid.Parse((await p.GetPageAsync("/Patient")).QuerySelector("#records tbody tr")!.GetAttribute("data-record-id")!);
        Assert.Equal(RecordCategory.LabResult, (await RecordSteps.FindRecordAsync(fixture.App, id))!.Category);

        using (var bad = await p.PostAsync($"/Patient/Records/{id}/Category", new Dictionary<string, string> { ["category"] = "scans" }, $"/Patient/Records/{id}"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bad.StatusCode);
        }

        Assert.Contains(RecordCategories.Rule, (await p.GetPageAsync($"/Patient/Records/{id}")).QuerySelector("[role=alert]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(RecordCategory.LabResult, (await RecordSteps.FindRecordAsync(fixture.App, id))!.Category);

        // Another patient cannot file it: not found, unchanged.
        var other = await World.ApprovedPatientAsync(fixture.App);
        using var o = WebSession.For(fixture.App);
        await o.SignInAsync(other.Email, World.Password);
        using (var foreign = await o.PostAsync($"/Patient/Records/{id}/Category", new Dictionary<string, string> { ["category"] = "letter" }, "/Patient"))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using (var changed = await p.PostAsync($"/Patient/Records/{id}/Category", new Dictionary<string, string> { ["category"] = "letter" }, $"/Patient/Records/{id}"))
        {
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        }

        Assert.Equal(RecordCategory.Letter, (await RecordSteps.FindRecordAsync(fixture.App, id))!.Category);
    }

    [Fact]
    public async Task TheDoctorsViewerPage_IsDecided_AndOnlyItsContentIsLoggedAsTheRead()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        var content = "Referral: palpitations"u8.ToArray();
        var id = await p.UploadRecordAsync("Referral", "referral.txt", "text/plain", content);
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        using (await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = patient.Address! }, "RequestAccess"))
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "7", ["Unit"] = "Days" }, "Grant"))
        {
        }

        var page = await d.GetPageAsync($"/Doctor/Records/{id}");
        Assert.Equal("Referral", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal($"/Doctor/Records/{id}/View", page.QuerySelector("iframe#record-view")!.GetAttribute("src"));
        Assert.Null(page.QuerySelector("#change-category"));
        Assert.Empty(await RecordSteps.AttemptsByAsync(fixture.App, doctor.Id));

        Assert.Equal(content, await d.Client.GetByteArrayAsync($"/Doctor/Records/{id}/View"));
        var read = Assert.Single(await RecordSteps.AttemptsByAsync(fixture.App, doctor.Id));
        Assert.Equal(id, read.RecordId);
        Assert.True(read.DecidedAllowed);

        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
        }

        using (var refused = await d.Client.GetAsync($"/Doctor/Records/{id}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.DoesNotContain("Referral", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var attempts = await RecordSteps.AttemptsByAsync(fixture.App, doctor.Id);
        Assert.Equal(2, attempts.Count);
        Assert.False(attempts[1].DecidedAllowed);
        Assert.Equal(id, attempts[1].RecordId);
    }
}
