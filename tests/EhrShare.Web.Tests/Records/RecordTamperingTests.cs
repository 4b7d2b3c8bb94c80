using System.Net;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// Altered ciphertext served by IPFS (a decorator changes what the real node returns) and blocks that do not match the
/// hash on the chain: detected, refused with a clear error, and no byte that was not authenticated ever leaves.
/// </summary>
public sealed class RecordTamperingTests(TappedAppFixture fixture) : IClassFixture<TappedAppFixture>
{
    private const int Segment = RecordCipher.SegmentSize;
    private const int SegmentOnDisk = Segment + 16;
    private const int Header = 16;

    /// <summary>A 200 KiB record: segments 0, 1 and 2 are full, segment 3 (final) holds 8 KiB.</summary>
    private const int MultiSegmentSize = 200 * 1024;

    private const int SingleSegmentSize = 1024;

    private EhrAppFactory App => fixture.App;

    /// <summary>A change to the ciphertext, the failure the reader must report, and how many plaintext bytes (whole
    /// segments that verified before the damage) may come out before it.</summary>
    public sealed record Alteration(int Size, Func<byte[], byte[]> Change, RecordIntegrityFailure Failure, int AuthenticatedPrefix);

    public static readonly Dictionary<string, Alteration> Alterations = new()
    {
        ["segments 0 and 1 swapped"] = new(MultiSegmentSize, c => Swap(c, 0, 1), RecordIntegrityFailure.AuthenticationFailed, 0),
        ["segments 1 and 2 swapped"] = new(MultiSegmentSize, c => Swap(c, 1, 2), RecordIntegrityFailure.AuthenticationFailed, Segment),
        ["segment 0 repeated in place of segment 1"] = new(MultiSegmentSize, c => Copy(c, 0, 1), RecordIntegrityFailure.AuthenticationFailed, Segment),
        ["a bit flipped in the header"] = new(MultiSegmentSize, c => Flip(c, 12), RecordIntegrityFailure.AuthenticationFailed, 0),
        ["a bit flipped in segment 2"] = new(MultiSegmentSize, c => Flip(c, Header + (2 * SegmentOnDisk) + 1000), RecordIntegrityFailure.AuthenticationFailed, 2 * Segment),
        ["a bit flipped in the final segment's tag"] = new(MultiSegmentSize, c => Flip(c, c.Length - 1), RecordIntegrityFailure.AuthenticationFailed, 3 * Segment),
        ["truncated: the final segment dropped"] = new(MultiSegmentSize, c => c[..(Header + (3 * SegmentOnDisk))], RecordIntegrityFailure.Truncated, 2 * Segment),
        ["truncated inside the final segment"] = new(MultiSegmentSize, c => c[..^100], RecordIntegrityFailure.AuthenticationFailed, 3 * Segment),
        ["extended: a byte appended"] = new(MultiSegmentSize, c => [.. c, 0x00], RecordIntegrityFailure.AuthenticationFailed, 3 * Segment),
        ["single segment: a bit flipped"] = new(SingleSegmentSize, c => Flip(c, Header + 10), RecordIntegrityFailure.AuthenticationFailed, 0),
        ["single segment: truncated by one byte"] = new(SingleSegmentSize, c => c[..^1], RecordIntegrityFailure.AuthenticationFailed, 0),
        ["single segment: cut after the header"] = new(SingleSegmentSize, c => c[..Header], RecordIntegrityFailure.Truncated, 0),
        ["single segment: not a record at all"] = new(SingleSegmentSize, c => Flip(c, 0), RecordIntegrityFailure.NotARecord, 0),
    };

    public static TheoryData<string> AlterationNames => [.. Alterations.Keys];

    [Theory]
    [MemberData(nameof(AlterationNames))]
    public async Task Read_OfAlteredCiphertext_ThroughTheUseCase_FailsAndReleasesOnlyAuthenticatedSegments(string alteration)
    {
        var (size, change, failure, authenticated) = Alterations[alteration];
        var (patient, record, content) = await StoredRecordAsync(size);
        fixture.Blobs.Alter(record.Cid, change);

        var (released, error) = await RecordActions.ReadUntilFailureAsync(App, patient.Id, record.Row.Id);

        var integrity = Assert.IsType<RecordIntegrityException>(error);
        Assert.Equal(failure, integrity.Failure);
        Assert.Equal(authenticated, released.Length);
        Assert.True(released.AsSpan().SequenceEqual(content.AsSpan(0, released.Length)), "bytes released that are not the record's");
    }

    [Theory]
    [MemberData(nameof(AlterationNames))]
    public async Task Download_OfAlteredCiphertext_ThroughHttp_NeverDeliversUnauthenticatedBytes(string alteration)
    {
        var (size, change, _, authenticated) = Alterations[alteration];
        var (patient, record, content) = await StoredRecordAsync(size);
        fixture.Blobs.Alter(record.Cid, change);
        using var session = await RecordSteps.SignedInAsync(App, patient);

        using var response = await session.Client.GetAsync($"/Patient/Records/{record.Row.Id}/Download", HttpCompletionOption.ResponseHeadersRead);

        if (authenticated == 0)
        {
            // The first segment is checked before any header goes out: an error page, and not one byte of the record.
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Null(response.Content.Headers.ContentDisposition);
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains("This record failed its integrity check, so it was not served.", page, StringComparison.Ordinal);
        }
        else
        {
            // Damage further in: the verified segments went out, then the connection is cut, so the download is
            // visibly incomplete (shorter than its Content-Length) and holds no byte of the damaged segment.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(size, response.Content.Headers.ContentLength);
            var (received, failed) = await ReadUntilFailureAsync(await response.Content.ReadAsStreamAsync());
            Assert.True(failed, $"the download of a damaged record ended normally after {received.Length} bytes");
            Assert.True(received.Length <= authenticated, $"{received.Length} bytes delivered; only {authenticated} were authenticated");
            Assert.True(received.AsSpan().SequenceEqual(content.AsSpan(0, received.Length)), "bytes delivered that are not the record's");
        }
    }

    [Fact]
    public async Task Read_WhenTheNodesHoldAnotherRecordsBlockUnderItsId_IsRefused_AndServesNeither()
    {
        var (patient, victim, _) = await StoredRecordAsync(SingleSegmentSize);
        var (_, other, _) = await StoredRecordAsync(SingleSegmentSize, patient);
        var vault = App.Services.GetRequiredService<IShareVault>();
        var otherBlock = await vault.RebuildAsync(other.Row.Id, other.Row.BlockHash!, CancellationToken.None);
        await vault.StoreAsync(victim.Row.Id, otherBlock, CancellationToken.None); // a consistent set of shares, of the wrong block

        await AssertNeverServedAsync(patient, victim.Row.Id);
    }

    [Fact]
    public async Task Read_WhenTheNodesHoldAForgedBlock_IsRefused_EvenThoughItOpensTheRealCiphertext()
    {
        // The shares are rewritten consistently with a block that keeps the record's CID and key but claims another
        // name and type (say, to have a browser run it): it rebuilds fine, but its hash is not the one on the chain.
        var (patient, victim, _) = await StoredRecordAsync(SingleSegmentSize);
        var vault = App.Services.GetRequiredService<IShareVault>();
        var real = RecordBlock.Parse(await vault.RebuildAsync(victim.Row.Id, victim.Row.BlockHash!, CancellationToken.None));
        var forged = new RecordBlock
        {
            RecordId = real.RecordId,
            PatientAccount = real.PatientAccount,
            Aid = real.Aid,
            Pid = real.Pid,
            Cid = real.Cid,
            Key = real.Key,
            PlaintextSha256 = real.PlaintextSha256,
            Size = real.Size,
            FileName = "report.html",
            ContentType = "text/html",
            CreatedAt = real.CreatedAt,
            PreviousBlockHash = real.PreviousBlockHash,
        };
        await vault.StoreAsync(victim.Row.Id, forged.Serialize(), CancellationToken.None);

        await AssertNeverServedAsync(patient, victim.Row.Id);
    }

    private async Task AssertNeverServedAsync(TestUser patient, Guid recordId)
    {
        var refused = await Assert.ThrowsAsync<RecordBlockUnavailableException>(() => RecordActions.ReadAsync(App, patient.Id, recordId));
        Assert.Contains("do not rebuild the block anchored on the chain", refused.Message, StringComparison.Ordinal);

        using var session = await RecordSteps.SignedInAsync(App, patient);
        using var response = await session.Client.GetAsync($"/Patient/Records/{recordId}/Download");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains("could not be rebuilt from the share nodes", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    private sealed record Stored(MedicalRecord Row, string Cid);

    private async Task<(TestUser Patient, Stored Record, byte[] Content)> StoredRecordAsync(int size, TestUser? patient = null)
    {
        patient ??= await World.ApprovedPatientAsync(App);
        var content = SampleFiles.Pdf(size);
        var added = fixture.Blobs.Added.Count;
        var row = await RecordActions.UploadAsync(App, patient.Id, content);
        Assert.Equal(content, await RecordActions.ReadAsync(App, patient.Id, row.Id)); // sound before it is altered
        return (patient, new Stored(row, fixture.Blobs.AddedSince(added).Single()), content);
    }

    private static async Task<(byte[] Received, bool Failed)> ReadUntilFailureAsync(Stream body)
    {
        using var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            return (received.ToArray(), false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (received.ToArray(), true);
        }
    }

    private static byte[] Swap(byte[] ciphertext, int a, int b)
    {
        var copy = (byte[])ciphertext.Clone();
        ciphertext.AsSpan(Header + (a * SegmentOnDisk), SegmentOnDisk).CopyTo(copy.AsSpan(Header + (b * SegmentOnDisk)));
        ciphertext.AsSpan(Header + (b * SegmentOnDisk), SegmentOnDisk).CopyTo(copy.AsSpan(Header + (a * SegmentOnDisk)));
        return copy;
    }

    private static byte[] Copy(byte[] ciphertext, int from, int to)
    {
        var copy = (byte[])ciphertext.Clone();
        ciphertext.AsSpan(Header + (from * SegmentOnDisk), SegmentOnDisk).CopyTo(copy.AsSpan(Header + (to * SegmentOnDisk)));
        return copy;
    }

    private static byte[] Flip(byte[] ciphertext, int offset)
    {
        var copy = (byte[])ciphertext.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }
}
