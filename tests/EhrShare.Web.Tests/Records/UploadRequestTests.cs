using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// The upload request itself: a body that is not well-formed multipart is a 400 with a clear message (JSON for the
/// page's script, an error page for a browser's form), never a 500 or an exception's text; a type that is not accepted
/// or a declared length over the limit is refused from the headers, before the file's bytes are sent; refusals log
/// nothing of the file's content.
/// </summary>
public sealed class UploadRequestTests(SmallLimitAppFixture fixture) : IClassFixture<SmallLimitAppFixture>
{
    private const string Boundary = "----ehr-upload-test";
    private const string CutShort = "The upload was cut short or is not well-formed multipart, so nothing was kept. Reload the page and try again.";

    private EhrAppFactory App => fixture.App;

    public static TheoryData<string, string, byte[]> MalformedBodies => new()
    {
        { "application/octet-stream", "The upload is not a form with a file (multipart/form-data). Reload the page and try again.", SampleFiles.Pdf(1_000) },
        { "multipart/form-data", "The upload has no multipart boundary, so its parts cannot be read. Reload the page and try again.", Multipart(SampleFiles.Pdf(1_000)) },
        { "multipart/form-data; boundary=" + new string('b', 71), "The upload's multipart boundary is longer than 70 characters, so its parts cannot be read.", Multipart(SampleFiles.Pdf(1_000), new string('b', 71)) },
        // The file's bytes stop without the closing boundary: the record was started, and is rolled back.
        { "multipart/form-data; boundary=" + Boundary, CutShort, Multipart(SampleFiles.Pdf(30_000))[..^40] },
        // A part whose header has no colon.
        { "multipart/form-data; boundary=" + Boundary, CutShort, Encoding.ASCII.GetBytes($"--{Boundary}\r\nthis is not a header\r\n\r\nx\r\n--{Boundary}--\r\n") },
        // No part at all, just bytes.
        { "multipart/form-data; boundary=" + Boundary, CutShort, SampleFiles.Pdf(2_000) },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task AMalformedBody_FromThePagesScript_Is400_WithTheReason_AndLeavesNothing(string contentType, string message, byte[] body)
    {
        await fixture.AssertRefusedAsync(HttpStatusCode.BadRequest, message, (s, token) => SendAsync(s, contentType, body, token, json: true));
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task AMalformedBody_FromABrowsersForm_Is400_WithAnErrorPage_AndNoExceptionText(string contentType, string message, byte[] body)
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var token = await RecordSteps.UploadTokenAsync(session);

        using var response = await SendAsync(session, contentType, body, token, json: false);
        var html = await response.Content.ReadAsStringAsync();
        var page = await WebSession.ParseAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The request could not be used", page.QuerySelector("h1")?.TextContent);
        Assert.Equal(message, page.QuerySelector("p.lead")?.TextContent);
        foreach (var leak in new[] { "Exception", " at Microsoft.", " at EhrShare.", "Stack" })
        {
            Assert.DoesNotContain(leak, html, StringComparison.Ordinal);
        }

        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
    }

    [Theory]
    [InlineData(true, "application/zip", "archive.zip", -1, HttpStatusCode.BadRequest, "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), text, CSV or FHIR JSON.")]
    [InlineData(false, "application/x-msdownload", "setup.exe", -1, HttpStatusCode.Redirect, "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), text, CSV or FHIR JSON.")]
    [InlineData(true, "application/pdf", "scan.pdf", 10 * 1024 * 1024, HttpStatusCode.RequestEntityTooLarge, "The file is larger than the limit of 64 KiB.")]
    [InlineData(false, "application/pdf", "scan.pdf", 10 * 1024 * 1024, HttpStatusCode.Redirect, "The file is larger than the limit of 64 KiB.")]
    [InlineData(true, "application/json", "values.json", 100 * 1024, HttpStatusCode.RequestEntityTooLarge, "The file is larger than the limit of 8 KiB for JSON and FHIR records.")]
    public async Task ARefusalKnownFromTheHeaders_IsAnsweredBeforeTheFilesBytesAreSent(
        bool script, string type, string fileName, int declaredLength, HttpStatusCode status, string message)
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var token = await RecordSteps.UploadTokenAsync(session);
        var head = new StringBuilder();
        if (!script)
        {
            head.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n");
        }

        head.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"Title\"\r\n\r\nHeld back\r\n");
        head.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"File\"; filename=\"{fileName}\"\r\nContent-Type: {type}\r\n\r\n");
        var body = new HeldBackContent(Encoding.ASCII.GetBytes(head.ToString()), declaredLength);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = body };
        if (script)
        {
            request.Headers.Add("RequestVerificationToken", token);
            request.Headers.Accept.ParseAdd("application/json");
        }

        HttpResponseMessage response;
        try
        {
            // The file's bytes are held back until the answer is in: a server that read them first never answers.
            response = await session.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            body.Release();
        }

        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            if (script)
            {
                var (ok, said) = await RecordSteps.AnswerAsync(response);
                Assert.False(ok);
                Assert.Equal(message, said);
            }
        }

        if (!script)
        {
            Assert.Equal(message, (await session.GetPageAsync("/Patient")).QuerySelector(".alert-danger")?.TextContent);
        }

        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
    }

    [Fact]
    public async Task Refusals_LogNothingOfTheFilesContent()
    {
        const string Secret = "SSN-987-65-4321";
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var before = fixture.Logs.Events.Count;
        var refused = new (string Name, string Type, byte[] Content)[]
        {
            ("patient.json", "application/fhir+json", Encoding.UTF8.GetBytes($$"""{"resourceType": "Patient", "birthDate": "{{Secret}}"}""")),
            ("patient.json", "application/fhir+json", Encoding.UTF8.GetBytes($$"""{"resourceType": "{{Secret}}"}""")),
            ("patient.json", "application/fhir+json", Encoding.UTF8.GetBytes($$"""{"resourceType": "Patient", "{{Secret}}": 1}""")),
            ("values.json", "application/json", Encoding.UTF8.GetBytes($$"""{"{{Secret}}": x}""")),
            ("notes.txt", "text/plain", [.. Encoding.UTF8.GetBytes(Secret), 0]),
            ("notes.txt", "text/plain", [.. Encoding.UTF8.GetBytes(Secret), 0xFF]),
            ("scan.pdf", "application/pdf", Encoding.UTF8.GetBytes(Secret)),
        };

        foreach (var (name, type, content) in refused)
        {
            using var response = await RecordSteps.UploadAsync(session, name, type, content);
            var (ok, message) = await RecordSteps.AnswerAsync(response);
            Assert.False(ok, name);
            Assert.DoesNotContain(Secret, message, StringComparison.Ordinal);
        }

        // A part header that is not one: the multipart reader's own message would quote it.
        var token = await RecordSteps.UploadTokenAsync(session);
        using (var malformed = await SendAsync(session, "multipart/form-data; boundary=" + Boundary,
                   Encoding.ASCII.GetBytes($"--{Boundary}\r\n{Secret}\r\n\r\nx\r\n--{Boundary}--\r\n"), token, json: true))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        var logged = fixture.Logs.Events.Skip(before).Select(e => CapturedLogEvents.Render(e) + e.Exception).ToList();
        Assert.Contains(logged, l => l.Contains("Upload refused", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, l => l.Contains(Secret, StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> SendAsync(WebSession session, string contentType, byte[] body, string token, bool json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("RequestVerificationToken", token); // a valid token: what is refused is the body
        if (json)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }

        return await session.Client.SendAsync(request);
    }

    private static byte[] Multipart(byte[] file, string boundary = Boundary) =>
    [
        .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"Title\"\r\n\r\nScan\r\n"),
        .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"File\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"),
        .. file,
        .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"),
    ];

    /// <summary>A body that sends its first bytes (the form's fields and the file part's headers) at once and holds
    /// the rest back until <see cref="Release"/>; it declares <c>declaredLength</c> bytes when that is not -1.</summary>
    private sealed class HeldBackContent(byte[] head, long declaredLength) : HttpContent
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(head);
            await stream.FlushAsync();
            await _release.Task;
            try
            {
                var end = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
                await stream.WriteAsync(declaredLength < 0 ? SampleFiles.Pdf(1_000) : new byte[declaredLength - head.Length - end.Length]);
                await stream.WriteAsync(end);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
                // The server answered and stopped reading: what is left has nowhere to go.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = declaredLength;
            return declaredLength >= 0;
        }
    }
}
