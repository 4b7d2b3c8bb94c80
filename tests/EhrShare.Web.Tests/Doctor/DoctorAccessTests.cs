using System.Net;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// A doctor reads a patient's records only while the contract allows it. Every refusal is a 403 that says why, and
/// every attempt, allowed or refused, is recorded and reaches the chain (a refusal as a denial, with a penalty).
/// </summary>
public sealed class DoctorAccessTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task WithoutARequest_TheRecordsAndTheListAreRefused_AndTheDenialsReachTheChain()
    {
        var (patient, recordId, _) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor);

        await AssertRefusedAsync(d, $"/Doctor/Records/{recordId}/Download", "Ask the patient for access first");
        await AssertRefusedAsync(d, $"/Doctor/Patients/{patient.Id}", "Ask the patient for access first");

        var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
        Assert.All(attempts, a => Assert.False(a.DecidedAllowed));
        Assert.All(attempts, a => Assert.False(a.ChainAllowed));
        Assert.Equal(recordId, attempts[0].RecordId);
        Assert.Null(attempts[1].RecordId); // the record list
        Assert.Equal(2u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
    }

    [Fact]
    public async Task WhileTheRequestWaits_AndAfterTheDenial_TheReasonSaysSo()
    {
        var (patient, recordId, _) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor);
        using var p = await SignedInAsync(patient);
        await RequestAsync(d, patient.Address!);

        await AssertRefusedAsync(d, $"/Doctor/Records/{recordId}/View", "waiting for the patient's answer");

        using (var deny = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Deny"))
        {
            Assert.Equal(HttpStatusCode.Redirect, deny.StatusCode);
        }

        await AssertRefusedAsync(d, $"/Doctor/Records/{recordId}/Download", "declined your request");
    }

    [Fact]
    public async Task AfterTheGrant_TheDoctorReadsAndLists_AndAfterTheRevocationIsRefused()
    {
        var (patient, recordId, content) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor);
        using var p = await SignedInAsync(patient);
        await RequestAsync(d, patient.Address!);
        using (var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant"))
        {
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        var list = await d.GetPageAsync($"/Doctor/Patients/{patient.Id}");
        Assert.Equal(recordId.ToString(), list.QuerySelector("#records tbody tr")?.GetAttribute("data-record-id"));
        Assert.Equal(content, await d.Client.GetByteArrayAsync($"/Doctor/Records/{recordId}/View"));
        var dashboard = await d.GetPageAsync("/Doctor");
        Assert.Contains("Granted", dashboard.QuerySelector($"#patients tr[data-patient-address='{patient.Address}']")!.TextContent, StringComparison.Ordinal);

        // The allowed reads reach the chain before the revocation (see ARead_AllowedWhenMade_IsLoggedAsAllowed).
        await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
        using (var revoke = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        await AssertRefusedAsync(d, $"/Doctor/Records/{recordId}/Download", "revoked your access");
        await AssertRefusedAsync(d, $"/Doctor/Patients/{patient.Id}", "revoked your access");
        var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 4);
        Assert.Equal([true, true, false, false], attempts.Select(a => a.ChainAllowed == true));
    }

    /// <summary>
    /// A refusal after a revocation says that the attempt was recorded and counted, how many more refusals suspend the
    /// doctor (the contract's threshold, 3, against the doctor's count), and what to do instead.
    /// </summary>
    [Fact]
    public async Task ARefusalAfterTheRevocation_SaysItCounted_HowManyMoreSuspend_AndToAskAgain()
    {
        var (patient, recordId, _) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor);
        using var p = await SignedInAsync(patient);
        await RequestAsync(d, patient.Address!);
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant"))
        {
        }

        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
        }

        var first = await RefusalAsync(d, $"/Doctor/Records/{recordId}/Download");
        Assert.Contains("revoked your access", first, StringComparison.Ordinal);
        Assert.Contains("This attempt was recorded on the blockchain as refused and counts toward suspension: 2 more refused attempts and your account is suspended.", first, StringComparison.Ordinal);
        Assert.Contains("ask the patient for access again", first, StringComparison.Ordinal);

        // The count is the chain's once the refusal is mined, and the outbox's while it is on its way: the same story.
        await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 1);
        Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
        var second = await RefusalAsync(d, $"/Doctor/Patients/{patient.Id}");
        Assert.Contains("1 more refused attempt and your account is suspended.", second, StringComparison.Ordinal);
        var third = await RefusalAsync(d, $"/Doctor/Records/{recordId}/View");
        Assert.Contains("brings your refusals to the limit of 3", third, StringComparison.Ordinal);
        await Eventually.WaitForAsync(() => Chain.StandingAsync(fixture.App, doctor.Id), a => a.Suspended, "the doctor suspended at the threshold");
    }

    /// <summary>
    /// The outbox sends <c>logAccess</c> after the read, when the patient may already have revoked: the contract decides
    /// the logged attempt as of the block and time the app decided it on, so the read is on the chain as allowed and the
    /// doctor is not penalised (docs/decisions/access-decided-at-the-attempt.md).
    /// </summary>
    [Fact]
    public async Task ARead_AllowedWhenMade_IsLoggedAsAllowed_EvenIfTheGrantEndsBeforeItIsMined()
    {
        var (patient, recordId, _) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        // An app whose outbox is still (as when the chain is slow or the dispatcher busy): the reads wait in the outbox
        // while the patient revokes; then the class's app delivers them.
        await using var slowOutbox = new EhrAppFactory(new Dictionary<string, string?> { ["Outbox:Enabled"] = "false" });
        using var d = WebSession.For(slowOutbox);
        await d.SignInAsync(doctor.Email, World.Password);
        using var p = WebSession.For(slowOutbox);
        await p.SignInAsync(patient.Email, World.Password);
        await RequestAsync(d, patient.Address!);
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant"))
        {
        }

        Assert.Equal(HttpStatusCode.OK, (await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download")).StatusCode);
        using (await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["confirmed"] = "true" }, "Revoke"))
        {
        }

        var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 1);
        Assert.True(attempts[0].DecidedAllowed);
        Assert.True(attempts[0].ChainAllowed, "an allowed read was logged on the chain as a denial");
        Assert.Equal(0u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
    }

    [Fact]
    public async Task AnUnknownOrRemovedRecord_Answers404_WithoutAPenalty()
    {
        var (patient, recordId, _) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = await SignedInAsync(doctor);
        using var p = await SignedInAsync(patient);
        using (var remove = await p.PostAsync($"/Patient/Records/{recordId}/Remove", new Dictionary<string, string>(), "/Patient"))
        {
            Assert.Equal(HttpStatusCode.Redirect, remove.StatusCode);
        }

        using (var removed = await d.Client.GetAsync($"/Doctor/Records/{recordId}/Download"))
        {
            Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
            var page = await removed.Content.ReadAsStringAsync();
            Assert.Contains("removed by its patient", page, StringComparison.Ordinal);
            Assert.DoesNotContain("mistyped", page, StringComparison.Ordinal);
            Assert.DoesNotContain("Page not found", page, StringComparison.Ordinal);
        }

        using (var unknown = await d.Client.GetAsync($"/Doctor/Records/{Guid.NewGuid()}/Download"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.Empty(await RecordSteps.AttemptsByAsync(fixture.App, doctor.Id));
    }

    private async Task<(TestUser Patient, Guid RecordId, byte[] Content)> PatientWithRecordAsync()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var p = await SignedInAsync(patient);
        var content = SampleFiles.Pdf(4_000);
        return (patient, await p.UploadRecordAsync("Lab results", "labs.pdf", "application/pdf", content), content);
    }

    private async Task<WebSession> SignedInAsync(TestUser user)
    {
        var session = WebSession.For(fixture.App);
        await session.SignInAsync(user.Email, World.Password);
        return session;
    }

    internal static async Task RequestAsync(WebSession doctor, string address)
    {
        using var request = await doctor.SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = address }, "RequestAccess");
        Assert.Equal(HttpStatusCode.Redirect, request.StatusCode);
    }

    private static async Task<string> RefusalAsync(WebSession doctor, string url)
    {
        using var response = await doctor.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await WebSession.ParseAsync(response);
        Assert.Equal("Access refused", page.QuerySelector("main h1")!.TextContent.Trim());
        Assert.DoesNotContain("If you think it should be", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        return page.QuerySelector("main p.lead")!.TextContent;
    }

    internal static async Task AssertRefusedAsync(WebSession doctor, string url, string reason)
    {
        using var response = await doctor.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {(int)response.StatusCode}");
        Assert.Null(response.Content.Headers.ContentDisposition);
        var page = await WebSession.ParseAsync(response);
        Assert.Contains(reason, page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Lab results", body, StringComparison.Ordinal);
    }
}
