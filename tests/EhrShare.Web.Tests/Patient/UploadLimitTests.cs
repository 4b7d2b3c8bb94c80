using System.Net;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Patient;

/// <summary>An app whose upload limit is 16 KiB: a larger file is refused with a message that names the limit, by
/// every way a file can arrive, and nothing is kept.</summary>
public sealed class UploadLimitTests : IAsyncLifetime
{
    private readonly EhrAppFactory _app = new(new Dictionary<string, string?> { ["Records:MaxUploadBytes"] = "16384" });
    private TestUser _patient = null!;
    private WebSession _session = null!;

    public async Task InitializeAsync()
    {
        _patient = await World.ApprovedPatientAsync(_app);
        _session = WebSession.For(_app);
        await _session.SignInAsync(_patient.Email, World.Password);
    }

    public async Task DisposeAsync()
    {
        _session.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task ThePage_StatesTheLimit()
    {
        var page = await _session.GetPageAsync("/Patient");

        Assert.Equal("16384", page.QuerySelector("#upload-form")!.GetAttribute("data-max-bytes"));
        Assert.Contains("up to 16 KiB", page.QuerySelector("label[for=upload-file]")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20_000)] // over the limit, within the allowance for the other fields: the stream is cut at the limit
    [InlineData(500_000)] // far over: refused from the request's length, before anything is read
    public async Task ALargerFile_IsRefused_WithTheLimitInTheMessage(int size)
    {
        using var response = await _session.UploadAsync("Too large", "big.pdf", "application/pdf", SampleFiles.Pdf(size));

        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}");
        Assert.Contains("The file is larger than the limit of 16 KiB.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await RecordSteps.CommittedRecordCountAsync(_app, _patient.Id));
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(500_000)]
    public async Task ALargerFile_PostedWithoutScript_IsRefused_WithTheLimitOnThePage(int size)
    {
        using var response = await _session.UploadWithoutScriptAsync("Too large", "big.pdf", "application/pdf", SampleFiles.Pdf(size));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await _session.GetPageAsync("/Patient");
        Assert.Contains("The file is larger than the limit of 16 KiB.", page.QuerySelector("[role=alert]")?.TextContent ?? "(no error shown)", StringComparison.Ordinal);
        Assert.Equal(0, await RecordSteps.CommittedRecordCountAsync(_app, _patient.Id));
    }

    [Fact]
    public async Task AFileAtTheLimit_IsAccepted()
    {
        var content = SampleFiles.Pdf(16384);

        var id = await _session.UploadRecordAsync("Just fits", "fits.pdf", "application/pdf", content);

        Assert.Equal(content, await _session.Client.GetByteArrayAsync($"/Patient/Records/{id}/Download"));
    }
}
