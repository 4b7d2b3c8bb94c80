using System.Net;
using EhrShare.Core.Common;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// IPFS lost the ciphertext's data blocks (its root is still there, so the node starts answering before it finds out):
/// the reader gets a clear "IPFS could not deliver" error, a typed one from the use case and a 503 page over HTTP,
/// never the generic error page and never a byte of the record.
/// </summary>
public sealed class RecordStorageLossTests(OwnIpfsAppFixture fixture) : IClassFixture<OwnIpfsAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task Read_WhenIpfsLostTheDataBlocks_FailsWithATypedUnavailableError()
    {
        var (patient, recordId) = await RecordWithLostBlocksAsync();

        var (released, failure) = await RecordActions.ReadUntilFailureAsync(App, patient.Id, recordId);

        Assert.Empty(released);
        var unavailable = Assert.IsType<DependencyUnavailableException>(failure);
        Assert.Equal("ipfs", unavailable.Dependency);
        Assert.StartsWith("The IPFS node could not deliver the record", unavailable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_WhenIpfsLostTheDataBlocks_Answers503WithAClearMessage_AndNoRecordBytes()
    {
        var (patient, recordId) = await RecordWithLostBlocksAsync();
        using var session = await RecordSteps.SignedInAsync(App, patient);

        using var response = await session.Client.GetAsync($"/Patient/Records/{recordId}/Download");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains("The IPFS node could not deliver the record", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    private async Task<(TestUser Patient, Guid RecordId)> RecordWithLostBlocksAsync()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var before = fixture.BlockFiles();
        var record = await RecordActions.UploadAsync(App, patient.Id, SampleFiles.Pdf(1024 * 1024));
        var leaves = fixture.BlockFiles().Except(before).Where(f => new FileInfo(f).Length > 4096).ToList();
        Assert.True(leaves.Count >= 4, $"expected the 1 MiB record's leaf blocks among the new block files, found {leaves.Count}");
        foreach (var leaf in leaves)
        {
            File.Delete(leaf);
        }

        return (patient, record.Id);
    }
}
