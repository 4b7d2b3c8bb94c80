using System.Net;
using System.Text;
using EhrShare.Testing;
using EhrShare.Web.Tests.Security;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Patient;

/// <summary>How a record goes out: downloads as attachments with the record's type, inline views only for types
/// without active content and under a sandboxing policy, file names cleaned of anything a header or a path could abuse.</summary>
public sealed class RecordFileTests(PeopleFixture people) : IClassFixture<PeopleFixture>
{
    private WebSession Patient => people.As(Who.Patient);

    [Theory]
    [InlineData("scan.pdf", "application/pdf")]
    [InlineData("xray.png", "image/png")]
    [InlineData("photo.jpeg", "image/jpeg")]
    [InlineData("notes.txt", "text/plain")]
    [InlineData("observation.json", "application/fhir+json")]
    public async Task Download_IsAnAttachment_WithTheRecordsType_AndView_IsInlineUnderASandbox(string fileName, string type)
    {
        var content = SampleFiles.For(type, 10_000);
        var id = await Patient.UploadRecordAsync("File " + fileName, fileName, type, content);

        using (var download = await Patient.Client.GetAsync($"/Patient/Records/{id}/Download"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(type, download.Content.Headers.ContentType!.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
            Assert.Equal(fileName, download.Content.Headers.ContentDisposition.FileName?.Trim('"'));
            Assert.Equal(content.Length, download.Content.Headers.ContentLength);
            Assert.Contains("no-store", download.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
            Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        }

        using var view = await Patient.Client.GetAsync($"/Patient/Records/{id}/View");
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal(type, view.Content.Headers.ContentType!.MediaType);
        Assert.Equal("inline", view.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", string.Join("", view.Headers.GetValues("X-Content-Type-Options")));
        var csp = HeadersTests.Directives(string.Join("", view.Headers.GetValues("Content-Security-Policy")));
        Assert.True(csp.ContainsKey("sandbox"), "an inline record must be sandboxed");
        Assert.Equal("'none'", csp["default-src"]);
        Assert.False(csp.ContainsKey("script-src"));
    }

    [Fact]
    public async Task AMarkupFileNamedAsText_IsServedAsPlainText_NeverAsHtml()
    {
        var markup = "<html><script>alert(document.cookie)</script></html>"u8.ToArray();
        var id = await Patient.UploadRecordAsync("Looks like text", "report.txt", "text/html", markup);

        using var view = await Patient.Client.GetAsync($"/Patient/Records/{id}/View");

        Assert.Equal("text/plain", view.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", view.Content.Headers.ContentType.CharSet);
        Assert.Equal("nosniff", string.Join("", view.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("sandbox", string.Join("", view.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("page.html", "text/html")]
    [InlineData("drawing.svg", "image/svg+xml")]
    [InlineData("tool.exe", "application/octet-stream")]
    [InlineData("script.js", "text/javascript")]
    public async Task ActiveOrUnknownTypes_AreRefusedAtUpload_AndNothingIsKept(string fileName, string type)
    {
        var before = await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id);

        using var response = await Patient.UploadAsync("Active content", fileName, type, "<svg onload=alert(1)>"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This type of file is not accepted", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id));
    }

    [Theory]
    [InlineData("..%2F..%2Fetc%2F%22quoted%22%0D%0Aname%01.txt", "quotedname.txt")]
    [InlineData("C%3A%5CUsers%5Cpat%5Cscan%3C1%3E.pdf", "scan1.txt")] // text, so a text file's extension
    [InlineData("%E2%80%A6%2F..", "record.txt")]
    [InlineData("r%C3%A9sum%C3%A9%20m%C3%A9dical.txt", "résumé médical.txt")]
    [InlineData("invoice%E2%80%AEfdp.txt", "invoicefdp.txt")] // a right-to-left override
    public async Task AFileName_IsStrippedOfPathsQuotesAndControlCharacters(string sentFileNameStar, string kept)
    {
        using (var upload = await Patient.UploadWithRawFileNameAsync("Odd name " + kept, "filename*=UTF-8''" + sentFileNameStar, "text/plain", "content"u8.ToArray()))
        {
            Assert.True(upload.StatusCode == HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
        }

        var page = await Patient.GetPageAsync("/Patient");
        var row = page.QuerySelector("#records tbody tr")!;
        Assert.Equal(kept, row.QuerySelector(".text-break")!.TextContent.Trim());
        using var download = await Patient.Client.GetAsync($"/Patient/Records/{row.GetAttribute("data-record-id")}/Download");
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal(kept, disposition.FileNameStar ?? disposition.FileName?.Trim('"'));
        var raw = string.Join("", download.Content.Headers.GetValues("Content-Disposition"));
        Assert.DoesNotContain("/", raw.Replace("UTF-8''", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain('\r', raw);
        Assert.DoesNotContain('\n', raw);
    }

    [Theory]
    [InlineData("", "filename=\"notes.txt\"", "Give the record a title")]
    [InlineData("   ", "filename=\"notes.txt\"", "Give the record a title")]
    [InlineData("No file", "filename=\"\"", "Choose a file to upload.")]
    public async Task AnUploadWithoutTitleOrFile_IsRefusedWithAReason(string title, string fileNameParameter, string message)
    {
        var before = await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id);

        using var response = await Patient.UploadWithRawFileNameAsync(title, fileNameParameter, "text/plain", "content"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id));
    }

    [Fact]
    public async Task AnEmptyFile_IsRefused_AndNothingIsKept()
    {
        var before = await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id);

        using var response = await Patient.UploadAsync("Empty", "empty.txt", "text/plain", []);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The file is empty", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await RecordSteps.CommittedRecordCountAsync(people.App, people.Patient.Id));
    }

    [Fact]
    public async Task AFormPostedWithoutScript_Uploads_AndThePageSaysSo()
    {
        var content = Encoding.UTF8.GetBytes("posted without script");

        using var response = await Patient.UploadWithoutScriptAsync("No-script upload", "plain.txt", "text/plain", content);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await Patient.GetPageAsync("/Patient");
        Assert.Contains("No-script upload", page.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        var id = page.QuerySelector("#records tbody tr")!.GetAttribute("data-record-id");
        Assert.Equal(content, await Patient.Client.GetByteArrayAsync($"/Patient/Records/{id}/Download"));
    }
}
