using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// What a crash leaves half done, made for real with the app's own services (ciphertext pinned on its IPFS node,
/// shares on every node, the hash on its chain or not, the row as the upload or removal left it), then
/// <see cref="ReconcileRecords.RunOnceAsync"/>: finished when the chain has the hash, rolled back when it does not,
/// left alone while the chain cannot say or the upload still holds its lease.
/// </summary>
public sealed class RecordReconcilerTests(OwnStackFixture stack) : IClassFixture<OwnStackFixture>
{
    private EhrAppFactory App => stack.App;

    [Fact]
    public async Task PendingUpload_PastItsLease_WithItsHashOnTheChain_IsCommitted_AndReadable()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: true);

        var report = await RecordActions.ReconcileAsync(App);

        Assert.True(report.Committed >= 1, report.ToString());
        var row = await StackProbe.RowAsync(App, upload.Id);
        Assert.Equal(RecordState.Committed, row!.State);
        Assert.NotNull(row.CommittedAt);
        Assert.Null(row.PendingCid);
        Assert.Equal(upload.Content, await RecordActions.ReadAsync(App, patient.Id, upload.Id));
        Assert.Contains(upload.Cid, await StackProbe.PinsAsync(App));
    }

    [Fact]
    public async Task PendingUpload_PastItsLease_WithoutItsHashOnTheChain_IsRolledBack_WithoutSharesOrPin()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: false);
        await StackProbe.AssertSharesOnEveryNodeAsync(upload.Id);

        var report = await RecordActions.ReconcileAsync(App);

        Assert.True(report.RolledBack >= 1, report.ToString());
        await AssertGoneAsync(upload);
    }

    [Fact]
    public async Task PendingUpload_WithoutBlockYet_PastItsLease_IsRolledBack_AndItsCiphertextUnpinned()
    {
        // A crash right after IPFS took the ciphertext: the row knows the CID, there is no block and no share yet.
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: false, stage: Stage.CiphertextOnly);

        await RecordActions.ReconcileAsync(App);

        await AssertGoneAsync(upload);
    }

    [Fact]
    public async Task PendingUpload_StillWithinItsLease_IsLeftAlone()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: false, leaseExpired: false);

        await RecordActions.ReconcileAsync(App);

        var row = await StackProbe.RowAsync(App, upload.Id);
        Assert.Equal(RecordState.Pending, row!.State);
        await StackProbe.AssertSharesOnEveryNodeAsync(upload.Id);
        Assert.Contains(upload.Cid, await StackProbe.PinsAsync(App));
    }

    [Fact]
    public async Task PendingUpload_WhileTheChainCannotSay_IsLeftForLater_ThenCommittedOnceItAnswers()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: true);
        var state = await stack.Chain.StopAsync();
        ReconcileReport report;
        try
        {
            report = await RecordActions.ReconcileAsync(App);
        }
        finally
        {
            await stack.Chain.StartAgainAsync(state);
        }

        // Not rolled back: its hash may well be on the chain (here it is).
        Assert.True(report.Left >= 1, report.ToString());
        Assert.Equal(RecordState.Pending, (await StackProbe.RowAsync(App, upload.Id))!.State);
        await StackProbe.AssertSharesOnEveryNodeAsync(upload.Id);

        await RecordActions.ReconcileAsync(App);

        Assert.Equal(RecordState.Committed, (await StackProbe.RowAsync(App, upload.Id))!.State);
        Assert.Equal(upload.Content, await RecordActions.ReadAsync(App, patient.Id, upload.Id));
    }

    [Fact]
    public async Task RollbackLeftUnfinished_IsFinished()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: false, state: RecordState.RollingBack);

        var report = await RecordActions.ReconcileAsync(App);

        Assert.True(report.RolledBack >= 1, report.ToString());
        await AssertGoneAsync(upload);
    }

    [Fact]
    public async Task RemovalInterruptedByAnIpfsOutage_IsUnreadableAtOnce_AndFinishedOnceIpfsIsBack()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var added = stack.Blobs.Added.Count;
        var record = await RecordActions.UploadAsync(App, patient.Id, SampleFiles.Pdf(5000));
        var cid = Assert.Single(stack.Blobs.AddedSince(added));

        await stack.Ipfs.StopAsync();
        try
        {
            Assert.False(await RecordActions.RemoveAsync(App, patient.Id, record.Id));
        }
        finally
        {
            await stack.Ipfs.StartAgainAsync();
        }

        var removing = await StackProbe.RowAsync(App, record.Id);
        Assert.Equal(RecordState.Removing, removing!.State);
        Assert.Equal(cid, removing.PendingCid);
        Assert.Contains(cid, await StackProbe.PinsAsync(App));
        await Assert.ThrowsAsync<NotFoundException>(() => RecordActions.ReadAsync(App, patient.Id, record.Id));

        var report = await RecordActions.ReconcileAsync(App);

        Assert.True(report.Removed >= 1, report.ToString());
        var removed = await StackProbe.RowAsync(App, record.Id);
        Assert.Equal(RecordState.Removed, removed!.State);
        Assert.Null(removed.PendingCid);
        await StackProbe.AssertNoSharesAsync([record.Id]);
        await StackProbe.AssertNotPinnedAsync(App, [cid]);
        Assert.Null(await RecordActions.AnchoredHashAsync(App, patient, record.Id));
    }

    [Fact]
    public async Task RemovalLeftUnfinishedBeforeTheChainWasTold_IsFinished_OnTheChainToo()
    {
        // A crash right after the row was marked Removing: the chain still lists the record, every share is there.
        var patient = await World.ApprovedPatientAsync(App);
        var upload = await HalfDoneUploadAsync(patient, anchored: true, state: RecordState.Removing);

        var report = await RecordActions.ReconcileAsync(App);

        Assert.True(report.Removed >= 1, report.ToString());
        Assert.Equal(RecordState.Removed, (await StackProbe.RowAsync(App, upload.Id))!.State);
        await StackProbe.AssertNoSharesAsync([upload.Id]);
        await StackProbe.AssertNotPinnedAsync(App, [upload.Cid]);
        Assert.Null(await RecordActions.AnchoredHashAsync(App, patient, upload.Id));
    }

    private enum Stage
    {
        CiphertextOnly,
        SharesStored,
    }

    private sealed record HalfDone(Guid Id, string Cid, byte[] Content);

    /// <summary>
    /// Does what UploadRecord does up to a point, with the app's own services, and leaves the row as a crash there
    /// would: the ciphertext added (and pinned) in IPFS; then, unless <paramref name="stage"/> says otherwise, the
    /// block built and its shares on every node; <paramref name="anchored"/>: its hash on the chain too.
    /// </summary>
    private async Task<HalfDone> HalfDoneUploadAsync(
        TestUser patient, bool anchored, RecordState state = RecordState.Pending, bool leaseExpired = true, Stage stage = Stage.SharesStored)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var party = await services.GetRequiredService<RecordParties>().PatientAsync(patient.Id, CancellationToken.None);
        var db = services.GetRequiredService<IEhrDbContext>();
        var now = DateTimeOffset.UtcNow;
        var content = RandomNumberGenerator.GetBytes(70_000);
        var key = RecordCipher.GenerateKey();
        var row = new MedicalRecord
        {
            Id = Guid.CreateVersion7(now),
            PatientUserId = patient.Id,
            ProtectedDescription = services.GetRequiredService<IRecordDescriptionProtector>().Protect(new RecordDescription("Interrupted", null, "scan.pdf")),
            ContentType = "application/pdf",
            State = RecordState.Pending,
            CreatedAt = now,
            LeaseUntil = now + TimeSpan.FromMinutes(30),
        };
        db.Records.Add(row);
        await db.SaveChangesAsync();

        await using (var encrypting = new RecordEncryptingStream(new MemoryStream(content), key))
        {
            row.PendingCid = await services.GetRequiredService<IRecordBlobStore>().AddAsync(encrypting, CancellationToken.None);
            row.Size = encrypting.PlaintextLength;
            if (stage == Stage.SharesStored)
            {
                var block = new RecordBlock
                {
                    RecordId = row.Id,
                    PatientAccount = Convert.FromHexString(party.Account.Address.AsSpan(2)),
                    Aid = party.Address.Aid,
                    Pid = party.Address.Pid,
                    Cid = row.PendingCid,
                    Key = key,
                    PlaintextSha256 = encrypting.PlaintextSha256,
                    Size = encrypting.PlaintextLength,
                    FileName = "scan.pdf",
                    ContentType = row.ContentType,
                    CreatedAt = now,
                    PreviousBlockHash = null,
                }.Serialize();
                row.BlockHash = RecordBlock.Hash(block);
                await db.SaveChangesAsync();
                await services.GetRequiredService<IShareVault>().StoreAsync(row.Id, block, CancellationToken.None);
                if (anchored)
                {
                    await services.GetRequiredService<IAccessLedger>().AddRecordAsync(party.Account, row.Id, row.BlockHash, CancellationToken.None);
                }
            }
        }

        // The crash: the row stays as it was; time passes beyond the lease.
        row.State = state;
        if (leaseExpired)
        {
            row.LeaseUntil = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        }

        await db.SaveChangesAsync();
        Assert.Contains(row.PendingCid, await StackProbe.PinsAsync(App));
        return new HalfDone(row.Id, row.PendingCid, content);
    }

    private async Task AssertGoneAsync(HalfDone upload)
    {
        Assert.Null(await StackProbe.RowAsync(App, upload.Id));
        await StackProbe.AssertNoSharesAsync([upload.Id]);
        await StackProbe.AssertNotPinnedAsync(App, [upload.Cid]);
    }
}
