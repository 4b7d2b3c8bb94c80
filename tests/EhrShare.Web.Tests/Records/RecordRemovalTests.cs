using System.Net;
using EhrShare.Core.Accounts;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Records;

/// <summary>Removal is crypto-shredding: the shares go from every node, the ciphertext is unpinned, nobody reads it again.</summary>
public sealed class RecordRemovalTests(TappedAppFixture fixture) : IClassFixture<TappedAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task Remove_DestroysTheSharesOnEveryNode_UnpinsTheCiphertext_AndNeitherOwnerNorDoctorCanReadItAgain()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var doctor = await World.ApprovedDoctorAsync(App);
        await RecordActions.GrantAsync(App, patient, doctor);
        var content = SampleFiles.Pdf(300_000);
        var added = fixture.Blobs.Added.Count;
        var record = await RecordActions.UploadAsync(App, patient.Id, content);
        var cid = fixture.Blobs.AddedSince(added).Single();
        Assert.Equal(content, await RecordActions.ReadAsync(App, doctor.Id, record.Id));
        using var owner = await RecordSteps.SignedInAsync(App, patient);
        using var reader = await RecordSteps.SignedInAsync(App, doctor);

        using (var removed = await owner.PostAsync($"/Patient/Records/{record.Id}/Remove", new Dictionary<string, string>(), "/Patient"))
        {
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        }

        var page = await owner.GetPageAsync("/Patient");
        Assert.Contains("The record is removed.", page.QuerySelector(".alert-success")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(record.Id, await RecordSteps.ListedRecordIdsAsync(owner));

        // Every node lacks its share, the ciphertext is no longer pinned, the chain no longer lists the record.
        await StackProbe.AssertNoSharesAsync([record.Id]);
        await StackProbe.AssertNotPinnedAsync(App, [cid]);
        Assert.Null(await RecordActions.AnchoredHashAsync(App, patient, record.Id));
        var row = await StackProbe.RowAsync(App, record.Id);
        Assert.Equal(RecordState.Removed, row!.State);
        Assert.NotNull(row.RemovedAt);
        Assert.Null(row.PendingCid);

        // Nobody reads it: not through the use case, not through HTTP, not even with the old block hash in hand.
        foreach (var who in new[] { patient, doctor })
        {
            var refused = await Assert.ThrowsAsync<NotFoundException>(() => RecordActions.ReadAsync(App, who.Id, record.Id));
            Assert.Equal("This record was removed by its patient and can no longer be read.", refused.Message);
        }

        foreach (var (session, url) in new[] { (owner, $"/Patient/Records/{record.Id}/Download"), (reader, $"/Doctor/Records/{record.Id}/Download") })
        {
            using var response = await session.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentDisposition);
            Assert.Contains("removed by its patient", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<RecordBlockUnavailableException>(() =>
            App.Services.GetRequiredService<IShareVault>().RebuildAsync(record.Id, record.BlockHash!, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAndRemove_WipeTheRebuiltBlock_WhichHoldsTheKey()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var record = await RecordActions.UploadAsync(App, patient.Id, SampleFiles.Pdf(1000));
        var rebuilt = fixture.Vault.Rebuilt.Count;

        await RecordActions.ReadAsync(App, patient.Id, record.Id);
        Assert.True(await RecordActions.RemoveAsync(App, patient.Id, record.Id));

        var blocks = fixture.Vault.Rebuilt.Skip(rebuilt).ToList();
        Assert.Equal(2, blocks.Count);
        Assert.All(blocks, block => Assert.True(block.All(b => b == 0), "a rebuilt block (with the record key) was left in memory"));
    }

    [Fact]
    public async Task Remove_RefusedByTheChain_LeavesTheRecordAsItWas_ListedAndReadable()
    {
        // A suspended account may not act on the chain, so removeRecord reverts. The patient is told why; the record
        // must then be exactly as before (not hidden, half removed, with the reconciler retrying forever).
        var patient = await World.ApprovedPatientAsync(App);
        var content = SampleFiles.Pdf(1000);
        var record = await RecordActions.UploadAsync(App, patient.Id, content);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().SuspendAsync(patient.Id, CancellationToken.None);
        }

        try
        {
            var refused = await Assert.ThrowsAsync<LedgerRejectedException>(() => RecordActions.RemoveAsync(App, patient.Id, record.Id));
            Assert.Equal("Your account is suspended; please contact the EHR manager.", refused.Message);

            var row = await StackProbe.RowAsync(App, record.Id);
            Assert.Equal(RecordState.Committed, row!.State);
            Assert.Null(row.PendingCid);
            await StackProbe.AssertSharesOnEveryNodeAsync(record.Id);
            Assert.Equal(content, await RecordActions.ReadAsync(App, patient.Id, record.Id));
            using var owner = await RecordSteps.SignedInAsync(App, patient);
            Assert.Contains(record.Id, await RecordSteps.ListedRecordIdsAsync(owner));
        }
        finally
        {
            await using var scope = App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().ReinstateAsync(patient.Id, CancellationToken.None);
        }

        Assert.True(await RecordActions.RemoveAsync(App, patient.Id, record.Id));
    }

    [Fact]
    public async Task RemoveTwice_SaysTheRecordIsAlreadyGone()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var record = await RecordActions.UploadAsync(App, patient.Id, SampleFiles.Pdf(1000));
        Assert.True(await RecordActions.RemoveAsync(App, patient.Id, record.Id));

        var again = await Assert.ThrowsAsync<NotFoundException>(() => RecordActions.RemoveAsync(App, patient.Id, record.Id));
        Assert.Equal("That record does not exist or was already removed.", again.Message);

        using var owner = await RecordSteps.SignedInAsync(App, patient);
        using var response = await owner.PostAsync($"/Patient/Records/{record.Id}/Remove", new Dictionary<string, string>(), "/Patient");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("That record does not exist or was already removed.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_OfAnotherPatientsRecord_IsRefused_AndLeavesItReadable()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var other = await World.ApprovedPatientAsync(App);
        var content = SampleFiles.Pdf(1000);
        var record = await RecordActions.UploadAsync(App, patient.Id, content);

        await Assert.ThrowsAsync<NotFoundException>(() => RecordActions.RemoveAsync(App, other.Id, record.Id));

        Assert.Equal(content, await RecordActions.ReadAsync(App, patient.Id, record.Id));
        await StackProbe.AssertSharesOnEveryNodeAsync(record.Id);
    }
}
