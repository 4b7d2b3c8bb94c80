using EhrShare.Core.Records;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;

namespace EhrShare.Web.Tests.Records;

public sealed class ConcurrentUploadTests(TappedAppFixture fixture) : IClassFixture<TappedAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task TwentyConcurrentUploadsFromFivePatients_AllCommit_WithEveryBlockHashOnTheChain()
    {
        var patients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => World.ApprovedPatientAsync(App)));
        var uploads = Enumerable.Range(0, 20).Select(i =>
        {
            var patient = patients[i % patients.Length];
            var content = SampleFiles.Pdf(1000 + (i * 7919));
            return (patient, content, task: Task.Run(() => RecordActions.UploadAsync(App, patient.Id, content)));
        }).ToList();

        await Task.WhenAll(uploads.Select(u => u.task));

        foreach (var (patient, content, task) in uploads)
        {
            var record = await task;
            var row = await StackProbe.RowAsync(App, record.Id);
            Assert.Equal(RecordState.Committed, row!.State);
            Assert.Equal(row.BlockHash, await RecordActions.AnchoredHashAsync(App, patient, record.Id));
            await StackProbe.AssertSharesOnEveryNodeAsync(record.Id);
            Assert.Equal(content, await RecordActions.ReadAsync(App, patient.Id, record.Id));
        }

        foreach (var patient in patients)
        {
            Assert.Equal(4, (await StackProbe.RowsOfAsync(App, patient.Id)).Count(r => r.State == RecordState.Committed));
        }
    }
}
