using System.Net;
using EhrShare.Core.Access;
using EhrShare.Testing;
using EhrShare.Web.Tests.Doctor;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>
/// The walkthrough spread over two app processes: each step goes to the instance the test names, as a load balancer
/// might send it, and every access attempt reaches the chain exactly once, whichever instance it was made on.
/// </summary>
[Collection(SeveralInstancesCollection.Name)]
public sealed class SharingAcrossInstancesTests(TwoInstancesFixture deployment)
{
    [Fact]
    public async Task UploadOnA_GrantOnB_ReadsOnBoth_RevokeOnA_RefusalOnA_AndEveryAttemptIsOnTheChainOnce()
    {
        var (a, b) = (deployment.A, deployment.B);
        var patient = await Steps.ApprovedPatientAsync(deployment, registerOn: a, approveOn: b);
        var doctor = await Steps.ApprovedDoctorAsync(deployment, registerOn: b, approveOn: a);
        using var p = await Steps.SignedInAsync(a, patient.Email);
        using var d = await Steps.SignedInAsync(b, doctor.Email);
        var content = SampleFiles.Pdf(5_000);

        var recordId = await p.On(a).UploadRecordAsync("Discharge letter", "letter.pdf", "application/pdf", content);
        await DoctorAccessTests.RequestAsync(d.On(b), patient.Address!);
        using (var grant = await p.On(b).SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant"))
        {
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        Assert.Equal(content, await d.On(b).Client.GetByteArrayAsync($"/Doctor/Records/{recordId}/View"));
        Assert.Equal(content, await d.On(a).Client.GetByteArrayAsync($"/Doctor/Records/{recordId}/Download"));
        Assert.Equal(content, await p.On(b).Client.GetByteArrayAsync($"/Patient/Records/{recordId}/Download"));
        // The allowed reads are on the chain before the revocation (see DoctorAccessTests).
        await Steps.ConfirmedAsync(deployment, [recordId], 3);
        using (var revoke = await p.On(a).SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        using (var refused = await d.On(a).Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("revoked your access", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var entries = await Steps.ConfirmedAsync(deployment, [recordId], 4);
        Assert.Equal(4, entries.Count);
        Assert.Equal([true, true, false], entries.Where(e => e.Actor == AccessActor.Doctor).Select(e => e.ChainAllowed == true));
        Assert.True(Assert.Single(entries, e => e.Actor == AccessActor.Owner).ChainAllowed);
        await Steps.AssertEachOnTheChainOnceAsync(deployment, patient, entries);
    }
}
