using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Testing;
using EhrShare.Web.Tests.Records.Support;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Records;

/// <summary>The access-log outbox as the read path uses it: an attempt the chain could not decide is still recorded, and
/// reaches the chain once it is back, across a restart of the app in between.</summary>
public sealed class ReadOutboxTests(OwnStackFixture stack) : IClassFixture<OwnStackFixture>
{
    [Fact]
    public async Task ReadsWhileTheChainIsDown_Answer503_AndTheirAttemptsReachTheChainAfterItReturns_AcrossARestart()
    {
        var patient = await World.ApprovedPatientAsync(stack.App);
        var doctor = await World.ApprovedDoctorAsync(stack.App);
        await RecordActions.GrantAsync(stack.App, patient, doctor);
        var record = await RecordActions.UploadAsync(stack.App, patient.Id, SampleFiles.Pdf(2000));
        using var owner = await RecordSteps.SignedInAsync(stack.App, patient);
        using var reader = await RecordSteps.SignedInAsync(stack.App, doctor);
        var patientAccount = await RecordActions.AccountOfAsync(stack.App, patient.Id);
        var doctorAccount = await RecordActions.AccountOfAsync(stack.App, doctor.Id);

        var chain = await stack.Chain.StopAsync();
        try
        {
            foreach (var (session, url) in new[] { (reader, $"/Doctor/Records/{record.Id}/Download"), (owner, $"/Patient/Records/{record.Id}/Download") })
            {
                using var response = await session.Client.GetAsync(url);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Null(response.Content.Headers.ContentDisposition);
                Assert.Contains("The blockchain node is not reachable at the moment", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            }

            // Both attempts are durable: the doctor's undecided (the chain could not be asked), the owner's allowed.
            var entries = await StackProbe.AccessLogOfAsync(stack.App, record.Id);
            Assert.Equal(2, entries.Count);
            Assert.All(entries, e => Assert.NotEqual(OutboxState.Confirmed, e.State));
            Assert.Null(entries.Single(e => e.Actor == AccessActor.Doctor).DecidedAllowed);
            Assert.True(entries.Single(e => e.Actor == AccessActor.Owner).DecidedAllowed);

            // The app goes down and comes back while the chain is still away.
            await stack.RestartAppAsync();
        }
        finally
        {
            await stack.Chain.StartAgainAsync(chain);
        }

        var confirmed = await WaitUntilConfirmedAsync(record.Id, TimeSpan.FromSeconds(60));
        Assert.Equal(2, confirmed.Count);
        Assert.All(confirmed, e => Assert.True(e.ChainAllowed));

        await using var scope = stack.App.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<IAccessLedger>()
            .GetEventsAsync(new LedgerEventQuery { Patient = patientAccount }, CancellationToken.None);
        var granted = Assert.Single(events, e => e.Name == "AccessGranted" && e.RecordId == record.Id);
        Assert.Equal(doctorAccount, granted.Doctor);
        Assert.True(granted.Allowed);
        Assert.Single(events, e => e.Name == "OwnerAccess" && e.RecordId == record.Id && e.Allowed == true);
    }

    private async Task<List<AccessLogEntry>> WaitUntilConfirmedAsync(Guid recordId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var entries = await StackProbe.AccessLogOfAsync(stack.App, recordId);
            if (entries.Count > 0 && entries.All(e => e.State == OutboxState.Confirmed))
            {
                return entries;
            }

            Assert.True(DateTime.UtcNow < deadline, "not confirmed in time:\n" + string.Join("\n", entries.Select(e =>
                $"  #{e.Id} {e.Actor} {e.State} attempts={e.Attempts} tx={e.TransactionHash} error={e.LastError}")));
            await Task.Delay(200);
        }
    }
}
