using System.Net;
using System.Security.Cryptography;
using EhrShare.Core.Records;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Records;

/// <summary>
/// A service fails in the middle of an upload (the app's own IPFS node killed while the body streams; its own chain
/// stopped right after the shares were stored, before <c>addRecord</c>): the patient gets a clear 503, and no record,
/// share or pin is left, on any node.
/// </summary>
public sealed class UploadFaultTests(OwnStackFixture stack) : IClassFixture<OwnStackFixture>
{
    private EhrAppFactory App => stack.App;

    [Fact]
    public async Task IpfsKilledWhileTheUploadStreams_Answers503_AndLeavesNoRecordShareOrPin()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        using var onlooker = await RecordSteps.SignedInAsync(App, patient);
        var token = await RecordSteps.UploadTokenAsync(session);
        var pins = await StackProbe.PinsAsync(App);
        var seen = stack.Vault.Seen.Count;
        var body = new GatedStream(length: 16 * 1024 * 1024, gateAt: 4 * 1024 * 1024);

        var upload = RecordSteps.UploadAsync(session, "Lab result", "scan.pdf", "application/pdf", new StreamContent(body), token);
        await body.GateReached.WaitAsync(TimeSpan.FromSeconds(30));

        // Mid-upload: the record exists only as a pending row nobody sees.
        var pending = Assert.Single(await StackProbe.RowsOfAsync(App, patient.Id));
        Assert.Equal(RecordState.Pending, pending.State);
        Assert.Empty(await RecordSteps.ListedRecordIdsAsync(onlooker));

        await stack.Ipfs.StopAsync();
        body.Open();
        try
        {
            using var response = await upload;
            var (ok, message) = await RecordSteps.AnswerAsync(response);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.False(ok);
            Assert.StartsWith("The upload did not go through and nothing was kept: The IPFS node", message, StringComparison.Ordinal);
        }
        finally
        {
            await stack.Ipfs.StartAgainAsync();
        }

        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
        Assert.Empty(await RecordSteps.ListedRecordIdsAsync(onlooker));
        Assert.Equal(pins.Order(), (await StackProbe.PinsAsync(App)).Order());
        await StackProbe.AssertNoSharesAsync(await StackProbe.SeenForAsync(App, stack.Vault, seen, patient.Id));
        Assert.Equal(pending.Id, Assert.Single(await StackProbe.SeenForAsync(App, stack.Vault, seen, patient.Id))); // the rollback did go to the nodes
    }

    [Fact]
    public async Task ChainStoppedBeforeAddRecord_Answers503_RollsBackSharesAndPin_AndThePatientCanUploadOnceItIsBack()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var added = stack.Blobs.Added.Count;
        var seen = stack.Vault.Seen.Count;
        string? chainState = null;
        stack.Vault.AfterStore = async _ =>
        {
            stack.Vault.AfterStore = null;
            chainState = await stack.Chain.StopAsync();
        };

        HttpResponseMessage response;
        try
        {
            response = await RecordSteps.UploadAsync(session, "scan.pdf", "application/pdf", SampleFiles.Pdf(300_000));
        }
        finally
        {
            stack.Vault.AfterStore = null;
            if (chainState is not null)
            {
                await stack.Chain.StartAgainAsync(chainState);
            }
        }

        Assert.NotNull(chainState);
        using (response)
        {
            var (ok, message) = await RecordSteps.AnswerAsync(response);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.False(ok);
            Assert.Equal("The upload did not go through and nothing was kept: The blockchain node is not reachable at the moment; nothing was changed. Please try again in a little while.", message);
        }

        var recordId = Assert.Single(await StackProbe.SeenForAsync(App, stack.Vault, seen, patient.Id));
        var cid = Assert.Single(stack.Blobs.AddedSince(added));
        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
        await StackProbe.AssertNoSharesAsync([recordId]);
        await StackProbe.AssertNotPinnedAsync(App, [cid]);
        Assert.Null(await RecordActions.AnchoredHashAsync(App, patient, recordId));

        // Nothing of the failed attempt is in the way (the patient's account sends in nonce order).
        var content = SampleFiles.Pdf(1000);
        var record = await RecordActions.UploadAsync(App, patient.Id, content);
        Assert.Equal(RecordState.Committed, record.State);
        Assert.Equal(content, await RecordActions.ReadAsync(App, patient.Id, record.Id));
    }

    [Fact]
    public async Task PatientLeavingMidUpload_LeavesNoRecordShareOrPin()
    {
        var patient = await World.ApprovedPatientAsync(App);
        using var session = await RecordSteps.SignedInAsync(App, patient);
        var token = await RecordSteps.UploadTokenAsync(session);
        var pins = await StackProbe.PinsAsync(App);
        var body = new GatedStream(length: 16 * 1024 * 1024, gateAt: 4 * 1024 * 1024);
        using var leave = new CancellationTokenSource();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Scan"), "Title" },
            { new StreamContent(body), "File", "scan.pdf" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);

        var upload = session.Client.SendAsync(request, leave.Token);
        await body.GateReached.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RecordState.Pending, Assert.Single(await StackProbe.RowsOfAsync(App, patient.Id)).State);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);

        // The app notices on its side and rolls back; give it a moment.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await StackProbe.RowsOfAsync(App, patient.Id)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
        Assert.Equal(pins.Order(), (await StackProbe.PinsAsync(App)).Order());
    }

    [Fact]
    public async Task ChainAndIpfsBothDownBeforeAddRecord_TheRollbackWaitsInvisibly_AndTheReconcilerFinishesIt()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var added = stack.Blobs.Added.Count;
        var seen = stack.Vault.Seen.Count;
        string? chainState = null;
        stack.Vault.AfterStore = async _ =>
        {
            stack.Vault.AfterStore = null;
            chainState = await stack.Chain.StopAsync();
            await stack.Ipfs.StopAsync();
        };

        try
        {
            await Assert.ThrowsAsync<EhrShare.Core.Common.DependencyUnavailableException>(() =>
                RecordActions.UploadAsync(App, patient.Id, SampleFiles.Pdf(100_000)));
        }
        finally
        {
            stack.Vault.AfterStore = null;
            if (chainState is not null)
            {
                await stack.Chain.StartAgainAsync(chainState);
                await stack.Ipfs.StartAgainAsync();
            }
        }

        // The shares went at once; the ciphertext could not be unpinned, so the row waits, rolling back, seen by nobody.
        var recordId = Assert.Single(await StackProbe.SeenForAsync(App, stack.Vault, seen, patient.Id));
        var cid = Assert.Single(stack.Blobs.AddedSince(added));
        var row = Assert.Single(await StackProbe.RowsOfAsync(App, patient.Id));
        Assert.Equal(RecordState.RollingBack, row.State);
        Assert.Equal(cid, row.PendingCid);
        await StackProbe.AssertNoSharesAsync([recordId]);
        Assert.Contains(cid, await StackProbe.PinsAsync(App));
        await Assert.ThrowsAsync<EhrShare.Core.Common.NotFoundException>(() => RecordActions.ReadAsync(App, patient.Id, recordId));

        var report = await RecordActions.ReconcileAsync(App);

        Assert.True(report.RolledBack >= 1, report.ToString());
        Assert.Empty(await StackProbe.RowsOfAsync(App, patient.Id));
        await StackProbe.AssertNotPinnedAsync(App, [cid]);
    }

    /// <summary>A request body (a PDF) that stops after <c>gateAt</c> bytes until the test opens it.</summary>
    private sealed class GatedStream(long length, long gateAt) : Stream
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _position;

        public Task GateReached => _reached.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public void Open() => _open.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= gateAt && !_open.Task.IsCompleted)
            {
                _reached.TrySetResult();
                await _open.Task.WaitAsync(cancellationToken);
            }

            var limit = _position < gateAt ? gateAt : length;
            var n = (int)Math.Min(buffer.Length, limit - _position);
            RandomNumberGenerator.Fill(buffer.Span[..n]);
            if (_position == 0)
            {
                SampleFiles.PdfSignature[..Math.Min(n, SampleFiles.PdfSignature.Length)].CopyTo(buffer.Span); // a PDF, as declared
            }

            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
