using System.Net;
using EhrShare.Core.Records;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serilog.Core;

namespace EhrShare.Web.Tests.Records;

/// <summary>An app with a 64 KiB upload limit (8 KiB for JSON) and an IPFS node of its own, so that "nothing kept"
/// includes its pins.</summary>
public sealed class SmallLimitAppFixture : IAsyncLifetime
{
    public const int Limit = 64 * 1024;

    public const int JsonLimit = 8 * 1024;

    public IpfsDevNodeProcess Ipfs { get; private set; } = null!;

    public BlobTap Blobs { get; } = new();

    public VaultTap Vault { get; } = new();

    /// <summary>Everything the app logs.</summary>
    public CapturedLogEvents Logs { get; } = new();

    public EhrAppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Ipfs = await IpfsDevNodeProcess.StartAsync();
        App = new EhrAppFactory(
            new Dictionary<string, string?>
            {
                ["Records:MaxUploadBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Records:MaxJsonBytes"] = JsonLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Ipfs:ApiUrl"] = Ipfs.ApiUrl,
            },
            services => services.AddTaps(Blobs, Vault).AddSingleton<ILogEventSink>(Logs));
        Assert.Equal(Limit, App.Services.GetRequiredService<IOptions<RecordOptions>>().Value.MaxUploadBytes);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Ipfs.DisposeAsync();
    }

    /// <summary>
    /// Sends one bad upload as a freshly signed-in patient and checks the answer (status and message: in the JSON
    /// answer, or on the page redirected to) and that nothing was kept: no record row, no new pin on the app's own
    /// IPFS node, no share on any node. With <paramref name="beforeAnyWrite"/>, also that nothing was even started:
    /// no rollback reached the share nodes (so no row was written) and nothing was added to IPFS.
    /// </summary>
    public async Task AssertRefusedAsync(HttpStatusCode status, string message, Func<WebSession, string, Task<HttpResponseMessage>> send, TestUser? patient = null, bool beforeAnyWrite = false)
    {
        patient ??= await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var token = await RecordSteps.UploadTokenAsync(session);
        var pins = await StackProbe.PinsAsync(App);
        var seen = Vault.Seen.Count;
        var added = Blobs.Added.Count;

        using (var response = await send(session, token))
        {
            Assert.Equal(status, response.StatusCode);
            if (status == HttpStatusCode.Redirect)
            {
                var page = await session.GetPageAsync("/Patient");
                Assert.Equal(message, page.QuerySelector(".alert-danger")?.TextContent);
            }
            else
            {
                var (ok, said) = await RecordSteps.AnswerAsync(response);
                Assert.False(ok);
                Assert.Equal(message, said);
            }
        }

        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
        Assert.Empty(await RecordSteps.ListedRecordIdsAsync(session));
        Assert.Equal(pins.Order(), (await StackProbe.PinsAsync(App)).Order());
        var touched = await StackProbe.SeenForAsync(App, Vault, seen, patient.Id);
        await StackProbe.AssertNoSharesAsync(touched);
        if (beforeAnyWrite)
        {
            Assert.Empty(touched);
            Assert.Empty(Blobs.AddedSince(added));
        }
    }
}

/// <summary>The page states the upload limit; a file within it is kept, and bad uploads through HTTP (too large, by
/// every way a file can arrive, of another type, without a title or a valid token) get a clear message and leave no
/// row, no pin and no share behind.</summary>
public sealed class UploadLimitTests(SmallLimitAppFixture fixture) : IClassFixture<SmallLimitAppFixture>
{
    private const string TooLarge = "The file is larger than the limit of 64 KiB.";
    private const string NotAccepted = "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), text, CSV or FHIR JSON.";
    private const string PageExpired = "The page expired. Reload it and try again.";

    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task ThePage_StatesTheLimit()
    {
        using var session = await RecordSteps.SignedInAsync(App, await World.ApprovedPatientAsync(App));

        var page = await session.GetPageAsync("/Patient");

        Assert.Equal("65536", page.QuerySelector("#upload-form")!.GetAttribute("data-max-bytes"));
        Assert.Contains("up to 64 KiB", page.QuerySelector("label[for=upload-file]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileAtTheLimit_IsKept()
    {
        using var session = await RecordSteps.SignedInAsync(App, await World.ApprovedPatientAsync(App));
        var content = SampleFiles.Pdf(SmallLimitAppFixture.Limit);

        var id = await session.UploadRecordAsync("Just fits", "fits.pdf", "application/pdf", content);

        Assert.Equal(content, await session.Client.GetByteArrayAsync($"/Patient/Records/{id}/Download"));
    }

    [Fact]
    public async Task AFileOverTheLimit_NoticedWhileStreaming_IsRefused()
    {
        // Small enough to pass the Content-Length check: the limit is enforced on the bytes as they stream.
        await AssertRefusedAsync(HttpStatusCode.BadRequest, TooLarge, (s, _) =>
            RecordSteps.UploadAsync(s, "scan.pdf", "application/pdf", SampleFiles.Pdf(SmallLimitAppFixture.Limit + 1)));
    }

    [Fact]
    public async Task AFileOverTheLimit_WithoutALength_IsRefusedWhileStreaming()
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, TooLarge, (s, _) =>
            RecordSteps.UploadAsync(s, "Lab result", "scan.pdf", "application/pdf", new StreamContent(new UnknownLengthStream(SampleFiles.Pdf(3 * SmallLimitAppFixture.Limit)))));
    }

    [Fact]
    public async Task AFileFarOverTheLimit_IsRefusedBeforeItsBodyIsRead()
    {
        await AssertRefusedAsync(HttpStatusCode.RequestEntityTooLarge, TooLarge, (s, _) =>
            RecordSteps.UploadAsync(s, "scan.pdf", "application/pdf", SampleFiles.Pdf(1024 * 1024)));
    }

    [Theory]
    [InlineData(SmallLimitAppFixture.Limit + 1)] // the stream is cut at the limit
    [InlineData(1024 * 1024)] // refused from the request's length, before anything is read
    public async Task AFileOverTheLimit_PostedAsAFormWithoutScript_IsRefused_WithTheLimitOnThePage(int size)
    {
        await AssertRefusedAsync(HttpStatusCode.Redirect, TooLarge, async (s, token) =>
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" },
                { new StringContent("Scan"), "Title" },
                { new ByteArrayContent(SampleFiles.Pdf(size)), "File", "scan.pdf" },
            };
            return await s.Client.PostAsync("/Patient/Upload", form);
        });
    }

    [Theory]
    [InlineData("setup.exe", "application/x-msdownload")]
    [InlineData("page.html", "text/html")]
    [InlineData("drawing.svg", "image/svg+xml")]
    [InlineData("no-extension", "application/octet-stream")]
    public async Task AFileOfAnotherType_IsRefused(string fileName, string contentType)
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, NotAccepted, (s, _) =>
            RecordSteps.UploadAsync(s, fileName, contentType, SampleFiles.Pdf(100)));
    }

    [Fact]
    public async Task AFormWithoutAFile_IsRefused()
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, "Choose a file to upload.", (s, _) =>
            RecordSteps.UploadAsync(s, "Lab result", "scan.pdf", "application/pdf", file: null));
    }

    [Fact]
    public async Task AFilePartWithoutAFileName_IsRefused()
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, "Choose a file to upload.", (s, _) =>
            RecordSteps.UploadAsync(s, "Lab result", "", "application/pdf", new ByteArrayContent(SampleFiles.Pdf(100))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task ARecordWithoutATitle_IsRefused(string title)
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, "Give the record a title (up to 200 characters).", (s, _) =>
            RecordSteps.UploadAsync(s, title, "scan.pdf", "application/pdf", new ByteArrayContent(SampleFiles.Pdf(100))));
    }

    [Fact]
    public async Task ATitleOver200Characters_IsRefused()
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, "Give the record a title (up to 200 characters).", (s, _) =>
            RecordSteps.UploadAsync(s, new string('t', 201), "scan.pdf", "application/pdf", new ByteArrayContent(SampleFiles.Pdf(100))));
    }

    [Fact]
    public async Task AnUploadWithoutAnAntiforgeryToken_IsRefused()
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, PageExpired, async (s, _) =>
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("Scan"), "Title" },
                { new ByteArrayContent(SampleFiles.Pdf(100)), "File", "scan.pdf" },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
            request.Headers.Accept.ParseAdd("application/json");
            return await s.Client.SendAsync(request);
        });
    }

    [Fact]
    public async Task AnUploadWithAGarbledToken_IsRefused()
    {
        await AssertRefusedAsync(HttpStatusCode.BadRequest, PageExpired, (s, token) =>
            RecordSteps.UploadAsync(s, "Lab result", "scan.pdf", "application/pdf", new ByteArrayContent(SampleFiles.Pdf(100)), token[..^4] + "AAAA"));
    }

    [Fact]
    public async Task AnUploadWithATokenFromAnEndedSession_IsRefused()
    {
        // The page was loaded in a session that has since ended (signed out and in again: a new antiforgery cookie).
        var patient = await World.ApprovedPatientAsync(App);
        string stale;
        using (var earlier = await RecordSteps.SignedInAsync(App, patient))
        {
            stale = await RecordSteps.UploadTokenAsync(earlier);
        }

        await AssertRefusedAsync(HttpStatusCode.BadRequest, PageExpired, (s, _) =>
            RecordSteps.UploadAsync(s, "Lab result", "scan.pdf", "application/pdf", new ByteArrayContent(SampleFiles.Pdf(100)), stale), patient);
    }

    [Fact]
    public async Task AFileWithinTheLimit_PostedAsAFormWithoutScript_IsKept()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var content = SampleFiles.Pdf(SmallLimitAppFixture.Limit);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(await RecordSteps.UploadTokenAsync(session)), "__RequestVerificationToken" },
            { new StringContent("Scan"), "Title" },
            { new ByteArrayContent(content), "File", "scan.pdf" },
        };

        using var response = await session.Client.PostAsync("/Patient/Upload", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var id = Assert.Single(await RecordSteps.ListedRecordIdsAsync(session));
        Assert.Equal(content, await session.Client.GetByteArrayAsync($"/Patient/Records/{id}/Download"));
    }

    private Task AssertRefusedAsync(HttpStatusCode status, string message, Func<WebSession, string, Task<HttpResponseMessage>> send, TestUser? patient = null) =>
        fixture.AssertRefusedAsync(status, message, send, patient);

    /// <summary>A body whose length the client cannot know in advance (sent chunked).</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
