using System.Net;
using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// Issue 5's round trips on the real stack: what goes up comes back byte for byte, through the use cases and through
/// HTTP; IPFS holds only ciphertext, under the CID Debian's ipfs_cid computes for it; an empty file is refused and
/// leaves nothing behind.
/// </summary>
public sealed class RecordRoundTripTests(TappedAppFixture fixture) : IClassFixture<TappedAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Theory]
    [InlineData(5)] // the smallest PDF: its signature alone
    [InlineData(1024 * 1024)]
    [InlineData(50 * 1024 * 1024)]
    public async Task UploadThenRead_ThroughTheUseCases_GivesBackTheSameBytes(int size)
    {
        var patient = await World.ApprovedPatientAsync(App);
        var content = SampleFiles.Pdf(size);
        var added = fixture.Blobs.Added.Count;

        var record = await RecordActions.UploadAsync(App, patient.Id, content);

        Assert.Equal(RecordState.Committed, record.State);
        Assert.Equal(size, record.Size);
        var (length, sha256) = await RecordActions.ReadHashAsync(App, patient.Id, record.Id);
        Assert.Equal(size, length);
        Assert.Equal(SHA256.HashData(content), sha256);
        await AssertStoredAsExpectedAsync(patient, record.Id, fixture.Blobs.AddedSince(added).Single(), content);
    }

    [Theory]
    [InlineData(5)] // the smallest PDF: its signature alone
    [InlineData(1024 * 1024)]
    [InlineData(50 * 1024 * 1024)]
    public async Task UploadThenDownload_ThroughHttp_GivesBackTheSameBytes(int size)
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var content = SampleFiles.Pdf(size);
        var added = fixture.Blobs.Added.Count;

        using (var upload = await RecordSteps.UploadAsync(session, "blood test.pdf", "application/pdf", content))
        {
            var (ok, message) = await RecordSteps.AnswerAsync(upload);
            Assert.True(upload.StatusCode == HttpStatusCode.OK && ok, message);
            Assert.Contains("uploaded, encrypted and anchored", message, StringComparison.Ordinal);
        }

        var recordId = Assert.Single(await RecordSteps.ListedRecordIdsAsync(session));
        using (var download = await session.Client.GetAsync($"/Patient/Records/{recordId}/Download", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(size, download.Content.Headers.ContentLength);
            Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("blood test.pdf", download.Content.Headers.ContentDisposition?.FileNameStar);
            Assert.Contains("no-store", download.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
            await using var body = await download.Content.ReadAsStreamAsync();
            var (length, sha256) = await RecordActions.HashAsync(body);
            Assert.Equal(size, length);
            Assert.Equal(SHA256.HashData(content), sha256);
        }

        await AssertStoredAsExpectedAsync(patient, recordId, fixture.Blobs.AddedSince(added).Single(), content);
    }

    [Fact]
    public async Task UploadOfAnEmptyFile_ThroughTheUseCase_IsRefusedWithAClearMessage_AndLeavesNothing()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var added = fixture.Blobs.Added.Count;
        var seen = fixture.Vault.Seen.Count;

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => RecordActions.UploadAsync(App, patient.Id, []));

        Assert.Equal("The file is empty. Choose a file with something in it.", refused.Message);
        await AssertNothingKeptAsync(patient, fixture.Blobs.AddedSince(added), await StackProbe.SeenForAsync(App, fixture.Vault, seen, patient.Id));
    }

    [Fact]
    public async Task UploadOfAnEmptyFile_ThroughHttp_IsRefusedWithAClearMessage_AndLeavesNothing()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var added = fixture.Blobs.Added.Count;
        var seen = fixture.Vault.Seen.Count;

        using var upload = await RecordSteps.UploadAsync(session, "empty.txt", "text/plain", []);

        var (ok, message) = await RecordSteps.AnswerAsync(upload);
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.False(ok);
        Assert.Equal("The file is empty. Choose a file with something in it.", message);
        Assert.Empty(await RecordSteps.ListedRecordIdsAsync(session));
        await AssertNothingKeptAsync(patient, fixture.Blobs.AddedSince(added), await StackProbe.SeenForAsync(App, fixture.Vault, seen, patient.Id));
    }

    [Fact]
    public async Task UploadOfAnEmptyFile_AsAFormWithoutScript_IsRefusedWithAClearMessage_AndLeavesNothing()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var added = fixture.Blobs.Added.Count;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(await RecordSteps.UploadTokenAsync(session)), "__RequestVerificationToken" },
            { new StringContent("Empty"), "Title" },
            { new ByteArrayContent([]), "File", "empty.txt" },
        };

        using var upload = await session.Client.PostAsync("/Patient/Upload", form);

        Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        var page = await session.GetPageAsync("/Patient");
        Assert.Contains("The file is empty", page.QuerySelector(".alert-danger")?.TextContent, StringComparison.Ordinal);
        Assert.Empty(await RecordSteps.ListedRecordIdsAsync(session));
        Assert.Empty(fixture.Blobs.AddedSince(added));
        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
    }

    /// <summary>
    /// Committed and visible; one share per node; the block hash on the chain is the row's; IPFS holds exactly the
    /// ciphertext of the record's size (never the plaintext), and the CID is what ipfs_cid computes for those bytes.
    /// </summary>
    private async Task AssertStoredAsExpectedAsync(TestUser patient, Guid recordId, string cid, byte[] content)
    {
        var row = await StackProbe.RowAsync(App, recordId);
        Assert.NotNull(row);
        Assert.Equal(RecordState.Committed, row.State);
        Assert.Null(row.PendingCid);
        Assert.Equal(row.BlockHash, await RecordActions.AnchoredHashAsync(App, patient, recordId));
        await StackProbe.AssertSharesOnEveryNodeAsync(recordId);
        Assert.Contains(cid, await StackProbe.PinsAsync(App));

        var file = await StackProbe.CatToFileAsync(App, cid);
        try
        {
            var info = new FileInfo(file);
            Assert.Equal(RecordCipher.GetCiphertextLength(content.Length), info.Length);
            await using (var stored = File.OpenRead(file))
            {
                var head = new byte[Math.Min(content.Length, 4096) + 16];
                await stored.ReadExactlyAsync(head);
                Assert.Equal("EHRC"u8.ToArray(), head[..4]);
                Assert.False(head.AsSpan(16).SequenceEqual(content.AsSpan(0, head.Length - 16)), "IPFS holds the plaintext");
            }

            Assert.Equal(cid, await StackProbe.IpfsCidOfFileAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task AssertNothingKeptAsync(TestUser patient, IReadOnlyList<string> cids, IEnumerable<Guid> recordIds)
    {
        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
        await StackProbe.AssertNotPinnedAsync(App, cids);
        await StackProbe.AssertNoSharesAsync(recordIds);
    }
}
