using System.Net;
using EhrShare.Core.Records;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Authorization;

/// <summary>A patient reaches only their own records and their own grants, whatever ids they put in a request.</summary>
public sealed class RecordOwnershipTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task AnotherPatient_CannotViewDownloadOrRemoveARecord_AndTheRecordStaysIntact()
    {
        var owner = await World.ApprovedPatientAsync(fixture.App);
        var other = await World.ApprovedPatientAsync(fixture.App);
        using var o = WebSession.For(fixture.App);
        await o.SignInAsync(owner.Email, World.Password);
        var content = SampleFiles.Pdf(5_000);
        var id = await o.UploadRecordAsync("Private scan", "private.pdf", "application/pdf", content);
        using var x = WebSession.For(fixture.App);
        await x.SignInAsync(other.Email, World.Password);

        foreach (var url in new[] { $"/Patient/Records/{id}/View", $"/Patient/Records/{id}/Download" })
        {
            using var read = await x.Client.GetAsync(url);
            Assert.True(read.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{url}: {(int)read.StatusCode}");
            Assert.NotEqual("application/pdf", read.Content.Headers.ContentType?.MediaType);
            Assert.Null(read.Content.Headers.ContentDisposition);
        }

        using (var confirm = await x.Client.GetAsync($"/Patient/Records/{id}/Remove"))
        {
            Assert.Equal(HttpStatusCode.NotFound, confirm.StatusCode);
            Assert.DoesNotContain("Private scan", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var remove = await x.PostAsync($"/Patient/Records/{id}/Remove", new Dictionary<string, string>(), "/Patient"))
        {
            Assert.Equal(HttpStatusCode.NotFound, remove.StatusCode);
        }

        Assert.DoesNotContain("Private scan", (await x.GetPageAsync("/Patient")).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(RecordState.Committed, (await RecordSteps.FindRecordAsync(fixture.App, id))!.State);
        Assert.Equal(content, await o.Client.GetByteArrayAsync($"/Patient/Records/{id}/Download"));
    }

    [Fact]
    public async Task Patient_CannotRemoveARecordWithoutTheAntiforgeryToken_NorWithAGet()
    {
        var owner = await World.ApprovedPatientAsync(fixture.App);
        using var o = WebSession.For(fixture.App);
        await o.SignInAsync(owner.Email, World.Password);
        var id = await o.UploadRecordAsync("Keep me", "keep.txt", "text/plain", "keep"u8.ToArray());

        using (var forged = await o.Client.PostAsync($"/Patient/Records/{id}/Remove", new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var confirm = await o.Client.GetAsync($"/Patient/Records/{id}/Remove"))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Contains("cannot be undone", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(RecordState.Committed, (await RecordSteps.FindRecordAsync(fixture.App, id))!.State);
    }

    [Fact]
    public async Task TheConfirmationPagesOwnForm_RemovesTheRecord()
    {
        var owner = await World.ApprovedPatientAsync(fixture.App);
        using var o = WebSession.For(fixture.App);
        await o.SignInAsync(owner.Email, World.Password);
        var id = await o.UploadRecordAsync("Old scan", "old.txt", "text/plain", "old"u8.ToArray());

        using var removed = await o.SubmitAsync($"/Patient/Records/{id}/Remove", new Dictionary<string, string>(), "/Remove");

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("/Patient", removed.Headers.Location?.OriginalString);
        Assert.Equal(RecordState.Removed, (await RecordSteps.FindRecordAsync(fixture.App, id))!.State);
    }

    [Theory]
    [InlineData("Grant")]
    [InlineData("Deny")]
    [InlineData("Revoke")]
    public async Task Patient_AnsweringForAnIdThatIsNoDoctor_Gets404(string action)
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var other = await World.ApprovedPatientAsync(fixture.App);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);

        foreach (var id in new[] { other.Id, "no-such-user", patient.Id })
        {
            using var response = await p.PostAsync($"/Patient/{action}", new Dictionary<string, string> { ["DoctorId"] = id, ["Duration"] = "7", ["Unit"] = "Days", ["confirmed"] = "true" }, "/Patient/Access");
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{action} for {id}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task AnotherPatientsRevoke_LeavesTheOwnersGrantInPlace()
    {
        var owner = await World.ApprovedPatientAsync(fixture.App);
        var other = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var o = WebSession.For(fixture.App);
        await o.SignInAsync(owner.Email, World.Password);
        var content = SampleFiles.Png(3_000);
        var id = await o.UploadRecordAsync("Granted scan", "granted.png", "image/png", content);
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        using (await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = owner.Address! }, "RequestAccess"))
        {
        }

        using (var grant = await o.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "7", ["Unit"] = "Days" }, "Grant"))
        {
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        using var x = WebSession.For(fixture.App);
        await x.SignInAsync(other.Email, World.Password);
        using (var revoke = await x.PostAsync("/Patient/Revoke", new Dictionary<string, string> { ["doctorId"] = doctor.Id, ["confirmed"] = "true" }, "/Patient/Access"))
        {
            // The other patient has no grant to revoke: the contract refuses, and the page says so.
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        Assert.Equal(content, await d.Client.GetByteArrayAsync($"/Doctor/Records/{id}/Download"));
    }
}
