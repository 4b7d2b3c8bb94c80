using System.Net;
using System.Text;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// A file's content must be what its type says: a program or a web page named and declared as a PDF, text that is
/// not UTF-8, JSON that does not parse, FHIR JSON that is not a FHIR resource are refused with a message naming what
/// is wrong, and leave nothing behind. An accepted file is stored under a name whose extension is its type's.
/// </summary>
public sealed class UploadContentTests(SmallLimitAppFixture fixture) : IClassFixture<SmallLimitAppFixture>
{
    private const string NotAPdfButAProgram = "The file is not a PDF: its content is a Windows program.";

    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task AProgram_NamedAndDeclaredAsAPdf_IsRefusedFromItsFirstBytes_BeforeAnythingIsWritten()
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, NotAPdfButAProgram, (s, _) =>
            RecordSteps.UploadAsync(s, "lab-results.pdf.exe", "application/pdf", SampleFiles.WindowsProgram(40_000)), beforeAnyWrite: true);
    }

    [Fact]
    public async Task AWebPage_NamedPdfHtml_AndDeclaredAsAPdf_IsRefused()
    {
        var page = "<!DOCTYPE html>\n<html><body><script>fetch('/Patient').then(r => r.text())</script></body></html>"u8.ToArray();

        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, "The file is not a PDF: its content is an HTML page.", (s, _) =>
            RecordSteps.UploadAsync(s, "report.pdf.html", "application/pdf", page), beforeAnyWrite: true);
    }

    [Fact]
    public async Task AProgram_WithARightToLeftOverrideInItsName_IsRefused()
    {
        // invoice\u202Efdp.exe shows as "invoiceexe.pdf".
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, NotAPdfButAProgram, (s, _) =>
            s.UploadWithRawFileNameAsync("Invoice", "filename*=UTF-8''invoice%E2%80%AEfdp.exe", "application/pdf", SampleFiles.WindowsProgram(5_000)), beforeAnyWrite: true);
    }

    [Fact]
    public async Task APdf_WithARightToLeftOverrideInItsNameAndTitle_IsKept_UnderACleanNameEndingInPdf()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var content = SampleFiles.Pdf(5_000);

        using (var upload = await session.UploadWithRawFileNameAsync("Invoice \u202Egnp.", "filename*=UTF-8''invoice%E2%80%AEfdp.exe", "application/pdf", content))
        {
            Assert.True(upload.StatusCode == HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
        }

        var page = await session.GetPageAsync("/Patient");
        var row = page.QuerySelector("#records tbody tr")!;
        Assert.Equal("Invoice gnp.", row.QuerySelector(".fw-semibold")!.TextContent);
        Assert.Equal("invoicefdp.pdf", row.QuerySelector(".text-break")!.TextContent.Trim());
        using var download = await session.Client.GetAsync($"/Patient/Records/{row.GetAttribute("data-record-id")}/Download");
        Assert.Equal("invoicefdp.pdf", download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName?.Trim('"'));
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("text/plain", "notes.txt", "text")]
    [InlineData("text/csv", "results.csv", "CSV text")]
    public async Task TextWithANulByte_IsRefused(string type, string fileName, string name)
    {
        var content = "glucose;5.1\n"u8.ToArray().Concat(new byte[] { 0 }).Concat("more"u8.ToArray()).ToArray();

        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, $"The file is not {name}: it has a NUL byte (at byte 12), so it is binary content.", (s, _) =>
            RecordSteps.UploadAsync(s, fileName, type, content), beforeAnyWrite: true);
    }

    [Theory]
    [InlineData(new byte[] { 0x48, 0x62, 0xC3, 0x28, 0x0A })] // an invalid continuation byte
    [InlineData(new byte[] { 0x48, 0x62, 0xE2, 0x82 })] // cut in the middle of a character at the end
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong "/"
    public async Task TextThatIsNotUtf8_IsRefused(byte[] content)
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, "The file is not text: it is not valid UTF-8. Save it as UTF-8 and upload it again.", (s, _) =>
            RecordSteps.UploadAsync(s, "notes.txt", "text/plain", content), beforeAnyWrite: true);
    }

    [Fact]
    public async Task TextThatIsNotUtf8_FarIntoALargeFile_IsRefusedWhileStreaming_AndRolledBack()
    {
        var content = SampleFiles.Text(40_000).Concat(new byte[] { 0xFF, 0x0A }).ToArray();

        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, "The file is not text: it is not valid UTF-8. Save it as UTF-8 and upload it again.", (s, _) =>
            RecordSteps.UploadAsync(s, "notes.txt", "text/plain", content));
    }

    [Theory]
    [InlineData("{\"glucose\": 5.1,}", "The file is not JSON: it is not valid JSON (line 1, byte 17).")]
    [InlineData("{\"glucose\": 5.1}\n{\"second\": 1}", "The file is not JSON: it is not valid JSON (line 2, byte 1).")]
    [InlineData("{\"glucose\": ", "The file is not JSON: it is not valid JSON (line 1, byte 13).")]
    [InlineData("<html><body>hi</body></html>", "The file is not JSON: its content is an HTML page.")]
    public async Task JsonThatDoesNotParse_IsRefused(string json, string message)
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, message, (s, _) =>
            RecordSteps.UploadAsync(s, "values.json", "application/json", Encoding.UTF8.GetBytes(json)), beforeAnyWrite: true);
    }

    [Fact]
    public async Task JsonOverItsLimit_IsRefusedWhileStreaming()
    {
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("\"glucose 5.1 mmol/L\"", 1_000)) + "]");
        Assert.InRange(json.Length, SmallLimitAppFixture.JsonLimit + 1, SmallLimitAppFixture.Limit);

        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, "The file is larger than the limit of 8 KiB for JSON and FHIR records.", (s, _) =>
            RecordSteps.UploadAsync(s, "values.json", "application/json", json));
    }

    [Theory]
    [InlineData("{\"name\": \"Ada\"}", "The file is not a FHIR resource: it has no resourceType.")]
    [InlineData("{\"resourceType\": \"Spaceship\", \"id\": \"1\"}", "The file is not a FHIR resource: its resourceType is not a FHIR R4 resource type.")]
    [InlineData("[{\"resourceType\": \"Patient\"}]", "The file is not a FHIR resource: it is JSON but not an object with a resourceType.")]
    [InlineData("{\"resourceType\": \"Patient\", \"ssn\": \"123-45-6789\"}",
        "The file is not a FHIR resource: 1 error against FHIR R4, the first at line 1, position 35 (PVAL128): an element FHIR R4 does not define there.")]
    [InlineData("{\"resourceType\": \"Patient\", \"birthDate\": \"last spring\"}",
        "The file is not a FHIR resource: 1 error against FHIR R4, the first at line 1, position 55 (PVAL124): a value that is not of the form FHIR R4 requires.")]
    public async Task JsonThatIsNotAFhirResource_IsRefused_WithoutQuotingIt(string json, string message)
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, message, (s, _) =>
            RecordSteps.UploadAsync(s, "patient.json", "application/fhir+json", Encoding.UTF8.GetBytes(json)), beforeAnyWrite: true);
    }

    [Fact]
    public async Task AFhirResource_IsKept_AsFhirJson()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var content = SampleFiles.FhirObservation();

        var id = await session.UploadRecordAsync("Haemoglobin", "observation.json", "application/fhir+json", content);

        using var download = await session.Client.GetAsync($"/Patient/Records/{id}/Download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/fhir+json", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("observation.json", download.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("application/pdf", "scan", "scan.pdf")]
    [InlineData("application/pdf", "lab-results.pdf.exe", "lab-results.pdf")]
    [InlineData("image/png", "xray.PNG", "xray.PNG")]
    [InlineData("image/png", "xray.gif", "xray.png")]
    [InlineData("image/jpeg", "photo.jpeg", "photo.jpeg")]
    [InlineData("image/jpeg", "photo.html", "photo.jpg")]
    [InlineData("image/gif", "chart", "chart.gif")]
    [InlineData("image/webp", "picture.webp.exe", "picture.webp")]
    [InlineData("text/csv", "results.csv.txt", "results.csv")]
    [InlineData("application/json", "values.js", "values.json")]
    public async Task EachAcceptedType_IsKept_UnderItsTypesExtension(string type, string sentName, string keptName)
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var content = type == "application/json" ? "{\"glucose\": [5.1, 5.4]}"u8.ToArray() : SampleFiles.For(type, 3_000);

        var id = await session.UploadRecordAsync("Record " + sentName, sentName, type, content);

        using var download = await session.Client.GetAsync($"/Patient/Records/{id}/Download");
        Assert.Equal(type, download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(keptName, download.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("image/png", "The file is not a PNG image: its content is a JPEG image.")]
    [InlineData("image/gif", "The file is not a GIF image: its content is a JPEG image.")]
    [InlineData("image/webp", "The file is not a WebP image: its content is a JPEG image.")]
    [InlineData("application/pdf", "The file is not a PDF: its content is a JPEG image.")]
    public async Task AnImage_DeclaredAsAnotherType_IsRefused_NamingWhatItIs(string declared, string message)
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, message, (s, _) =>
            RecordSteps.UploadAsync(s, "photo", declared, SampleFiles.Jpeg(2_000)), beforeAnyWrite: true);
    }

    [Fact]
    public async Task RandomBytes_DeclaredAsAJpeg_AreRefused()
    {
        var content = SampleFiles.Pdf(2_000);
        "NOTJPEG"u8.CopyTo(content);

        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, "The file is not a JPEG image: its content does not start as a JPEG image does.", (s, _) =>
            RecordSteps.UploadAsync(s, "photo.jpg", "image/jpeg", content), beforeAnyWrite: true);
    }

    [Fact]
    public async Task AFileWithoutATypeOrAKnownExtension_IsRefusedFromItsSectionHeaders()
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), text, CSV or FHIR JSON.", (s, _) =>
            RecordSteps.UploadAsync(s, "archive.zip", "application/zip", SampleFiles.Pdf(1_000)), beforeAnyWrite: true);
    }

    [Fact]
    public async Task ARefusal_LogsNothingOfTheContent()
    {
        // The message for a FHIR error would quote the value if it came from the SDK as it is.
        const string Secret = "SSN-987-65-4321";
        var json = Encoding.UTF8.GetBytes($$"""{"resourceType": "Patient", "birthDate": "{{Secret}}"}""");
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);

        using var response = await RecordSteps.UploadAsync(session, "patient.json", "application/fhir+json", json);

        var (ok, message) = await RecordSteps.AnswerAsync(response);
        Assert.False(ok);
        Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
        Assert.StartsWith("The file is not a FHIR resource", message, StringComparison.Ordinal);
    }
}
