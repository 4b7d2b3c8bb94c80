using System.Net;
using System.Net.Http.Headers;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Records;

public sealed class RecordFlowTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Patient_UploadsAndReadsBack_DoctorReadsOnlyWhileGranted()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        var content = SampleFiles.Pdf(200_000);

        using (var upload = await UploadAsync(p, "Blood test", "scan.pdf", "application/pdf", content))
        {
            Assert.True(upload.StatusCode == HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
        }

        var page = await p.GetPageAsync("/Patient");
        var recordId = page.QuerySelector("#records tbody tr")!.GetAttribute("data-record-id")!;
        Assert.Equal(content, await p.Client.GetByteArrayAsync($"/Patient/Records/{recordId}/Download"));

        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        using (var denied = await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("no access", await denied.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using (var request = await d.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = patient.Address! }, "RequestAccess"))
        {
            Assert.Equal(HttpStatusCode.Redirect, request.StatusCode);
        }

        using (var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "7", ["Unit"] = "Days" }, "Grant"))
        {
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        Assert.Equal(content, await d.Client.GetByteArrayAsync($"/Doctor/Records/{recordId}/Download"));

        using (var revoke = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        using (var after = await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
            Assert.Contains("revoked", await after.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<HttpResponseMessage> UploadAsync(WebSession session, string title, string fileName, string type, byte[] content)
    {
        var page = await session.GetPageAsync("/Patient");
        var token = page.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(title), "Title" },
            { new StringContent(""), "Notes" },
        };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "File", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }
}
