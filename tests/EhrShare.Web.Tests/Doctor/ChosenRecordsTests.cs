using System.Net;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using EhrShare.Web.Tests.Api;
using EhrShare.Web.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>
/// A grant of chosen records (docs/decisions/record-scoped-grants.md): the doctor lists and opens only those, a read of
/// another is refused by the contract (OutsideGrant, a penalty) in the page, in the FHIR API and on the chain alike,
/// and a change of the set judges reads decided before it by the set they were made under.
/// </summary>
public sealed class ChosenRecordsTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task TheDoctorListsAndOpensOnlyTheChosenRecords_AndAnotherIsRefusedOnceAsOutsideGrant()
    {
        var (patient, doctor, p, d, records) = await RequestedWithRecordsAsync(3);
        using (p)
        using (d)
        {
            await GrantAsync(p, doctor, records[0], records[1]);

            var access = await p.GetPageAsync("/Patient/Access");
            Assert.Equal("2", access.QuerySelector($"[data-doctor='{doctor.Name}'] [data-shared-records]")?.GetAttribute("data-shared-records"));
            var list = await d.GetPageAsync($"/Doctor/Patients/{patient.Id}");
            Assert.Equal(
                new[] { records[0], records[1] }.Select(r => r.ToString()).Order(),
                list.QuerySelectorAll("#records tbody tr").Select(r => r.GetAttribute("data-record-id")!).Order());
            Assert.NotNull(list.QuerySelector("#chosen-records"));
            Assert.Equal(HttpStatusCode.OK, (await d.Client.GetAsync($"/Doctor/Records/{records[1]}/Download")).StatusCode);
            await DoctorAccessTests.AssertRefusedAsync(d, $"/Doctor/Records/{records[2]}/Download", "This record is not among those the patient shared with you.");

            var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 3);
            Assert.Equal(3, attempts.Count);
            Assert.Equal(new Guid?[] { null, records[1], records[2] }, attempts.Select(a => a.RecordId));
            Assert.Equal(new bool?[] { true, true, false }, attempts.Select(a => a.ChainAllowed));
            Assert.All(attempts, a => Assert.Equal(a.DecidedAllowed, a.ChainAllowed));
            Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);

            var history = await Eventually.WaitForAsync(
                async () => (await p.GetPageAsync("/Patient/History")).Body!.TextContent,
                text => text.Contains("The record is not among those the patient shared with the doctor", StringComparison.Ordinal),
                "the OutsideGrant denial in the patient's history");
            Assert.Contains("penalty count 1", history, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoRecordChosen_OrARecordNotThePatients_IsRefusedWithAMessage_AndNothingIsSent()
    {
        var (patient, doctor, p, d, _) = await RequestedWithRecordsAsync(1);
        var other = await World.ApprovedPatientAsync(fixture.App);
        using var o = WebSession.For(fixture.App);
        await o.SignInAsync(other.Email, World.Password);
        var theirs = await o.UploadRecordAsync("Their letter", "letter.pdf", "application/pdf", SampleFiles.Pdf(2_000));
        using (p)
        using (d)
        {
            foreach (var (chosen, message) in new[]
                     {
                         (Array.Empty<string>(), "Choose at least one record to share, or share all your records. Nothing was changed."),
                         (new[] { theirs.ToString() }, "One of the chosen records is not among your records"),
                         (new[] { "not-an-id" }, "One of the chosen records is not among your records"),
                     })
            {
                using (var grant = await PostGrantAsync(p, doctor, chosen))
                {
                    Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
                }

                var page = await p.GetPageAsync("/Patient/Access");
                Assert.Contains(message, page.QuerySelector("[role=alert]")?.TextContent ?? "(no error shown)", StringComparison.Ordinal);
                Assert.Equal(LedgerPermissionStatus.Requested, (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).Status);
            }
        }
    }

    /// <summary>
    /// A read decided under the first set waits in the outbox (an app whose outbox is still) while the patient changes the
    /// set: it is logged with the proof it was decided with, and the contract judges it by the set in force at its block.
    /// </summary>
    [Fact]
    public async Task AReadDecidedBeforeAChange_IsLoggedAsAllowed_UnderTheOldSet_AndTheSameRecordIsRefusedAfter()
    {
        var (patient, doctor, p, d, records) = await RequestedWithRecordsAsync(2);
        using (p)
        using (d)
        {
            await GrantAsync(p, doctor, records[0]);
            // The read is made on an app an hour ahead whose outbox is still: its entry is not due for the class's app
            // (the chain caps the read's time at the block's) until the test makes it due, after the change is mined.
            var ahead = new ShiftedTime();
            ahead.Advance(TimeSpan.FromHours(1));
            await using var stillOutbox = new EhrAppFactory(
                new Dictionary<string, string?> { ["Outbox:Enabled"] = "false" },
                services => services.AddSingleton<TimeProvider>(ahead));
            using (var slow = WebSession.For(stillOutbox))
            {
                await slow.SignInAsync(doctor.Email, World.Password);
                Assert.Equal(HttpStatusCode.OK, (await slow.Client.GetAsync($"/Doctor/Records/{records[0]}/Download")).StatusCode);
            }


            using (var change = await PostAsync(p, "ShareRecords", doctor, [records[1].ToString()]))
            {
                Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
            }

            var changedIn = await ChangeBlockAsync(doctor);
            await MakeAttemptsDueAsync(doctor);
            Assert.Contains("1 chosen record", (await p.GetPageAsync("/Patient/Access")).QuerySelector("[role=status], .alert-success")?.TextContent ?? "", StringComparison.Ordinal);
            await DoctorAccessTests.AssertRefusedAsync(d, $"/Doctor/Records/{records[0]}/Download", "not among those the patient shared with you");
            Assert.Equal(HttpStatusCode.OK, (await d.Client.GetAsync($"/Doctor/Records/{records[1]}/Download")).StatusCode);

            var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 3);
            Assert.Equal(new Guid?[] { records[0], records[0], records[1] }, attempts.Select(a => a.RecordId));
            Assert.Equal(new bool?[] { true, false, true }, attempts.Select(a => a.ChainAllowed));
            Assert.True(attempts[0].DecidedAtBlock < changedIn, "the first read was decided after the change");
            Assert.True(attempts[0].BlockNumber >= changedIn, "the first read was logged before the change");
            Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
        }
    }

    /// <summary>
    /// The moment between a change of the set being mined and the app saving it: the app still holds the old set, the
    /// chain the new root. A read of a record of the new set is refused by the old set's proof, then asked again with the
    /// staged set's, which the chain accepts: allowed, logged as allowed, no penalty. A record of neither stays refused.
    /// </summary>
    [Fact]
    public async Task AReadBetweenAChangeBeingMinedAndItsSetBeingSaved_IsJudgedByTheStagedSet_WithoutAPenalty()
    {
        var (patient, doctor, p, d, records) = await RequestedWithRecordsAsync(3);
        using (p)
        using (d)
        {
            await GrantAsync(p, doctor, records[0]);
            await using var scope = fixture.App.Services.CreateAsyncScope();
            var (patientParty, doctorSummary) = await scope.ServiceProvider.GetRequiredService<RecordParties>()
                .PatientAndDoctorAsync(patient.Id, doctor.Id, CancellationToken.None);
            var shared = scope.ServiceProvider.GetRequiredService<SharedRecords>();
            var expires = (await Chain.PermissionAsync(fixture.App, patient.Id, doctor.Id)).ExpiresAt!.Value;

            // The change as ChangeGrant makes it, stopped before the set is saved.
            await shared.StageAsync(patientParty.Account.Address, doctorSummary.Account, [records[1]], CancellationToken.None);
            var minedIn = await scope.ServiceProvider.GetRequiredService<IAccessLedger>()
                .GrantRecordsAsync(patientParty.Account, doctorSummary.Account, expires, [records[1]], CancellationToken.None);

            Assert.Equal(HttpStatusCode.OK, (await d.Client.GetAsync($"/Doctor/Records/{records[1]}/Download")).StatusCode);
            await DoctorAccessTests.AssertRefusedAsync(d, $"/Doctor/Records/{records[2]}/Download", "This record is not among those the patient shared with you.");

            var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
            Assert.Equal(new Guid?[] { records[1], records[2] }, attempts.Select(a => a.RecordId));
            Assert.Equal(new bool?[] { true, false }, attempts.Select(a => a.ChainAllowed));
            Assert.All(attempts, a => Assert.Equal(a.DecidedAllowed, a.ChainAllowed));
            Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);

            // Saving the mined set drops the staged copy.
            await shared.SaveAsync(patientParty.Account.Address, doctorSummary.Account, [records[1]], minedIn);
            Assert.Null(await shared.StagedAsync(patientParty.Account.Address, doctorSummary.Account, CancellationToken.None));
        }
    }

    /// <summary>Makes the doctor's pending attempts due now.</summary>
    private async Task MakeAttemptsDueAsync(TestUser doctor)
    {
        var until = DateTimeOffset.UtcNow;
        await using var scope = fixture.App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EhrDbContext>().AccessLog
            .Where(e => e.ActorUserId == doctor.Id && e.State == OutboxState.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.NextAttemptAt, until));
    }

    /// <summary>The block the grant's set in force was mined in (the app keeps it once mined).</summary>
    private async Task<long> ChangeBlockAsync(TestUser doctor)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrDbContext>();
        var account = await db.ChainAccounts.Where(a => a.UserId == doctor.Id).Select(a => a.Address).SingleAsync();
        return await db.GrantScopes.Where(s => s.DoctorAccount == account).MaxAsync(s => s.FromBlock);
    }

    [Fact]
    public async Task TheFhirApi_FindsOnlyTheChosenDocuments_AndAnotherBinaryIs403WithAnOperationOutcome()
    {
        var (patient, doctor, p, d, records) = await RequestedWithRecordsAsync(2);
        using (p)
        using (d)
        {
            await GrantAsync(p, doctor, records[1]);
        }

        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        var client = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);

        var documents = await client.SearchAsync<DocumentReference>([$"patient=Patient/{patient.Id}"]);
        Assert.Equal(records[1].ToString(), documents!.Entry.Select(e => e.Resource).OfType<DocumentReference>().Single().Id);
        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => client.ReadAsync<Binary>($"Binary/{records[0]}"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        var issue = Assert.Single(refused.Outcome!.Issue);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, issue.Code);
        Assert.Contains("This record is not among those the patient shared with you.", issue.Diagnostics, StringComparison.Ordinal);

        var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
        Assert.Equal(new bool?[] { true, false }, attempts.Select(a => a.ChainAllowed));
    }

    [Fact]
    public async Task AnEmergency_CoversEveryRecord_OverAGrantOfChosenOnes()
    {
        var (patient, doctor, p, d, records) = await RequestedWithRecordsAsync(2);
        using (p)
        using (d)
        {
            await GrantAsync(p, doctor, records[0]);
            await using (var scope = fixture.App.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DeclareEmergency>()
                    .ExecuteAsync(doctor.Id, patient.Address!, "Unconscious on arrival, history unknown", CancellationToken.None);
            }

            var list = await d.GetPageAsync($"/Doctor/Patients/{patient.Id}");
            Assert.Equal(2, list.QuerySelectorAll("#records tbody tr").Length);
            Assert.Null(list.QuerySelector("#chosen-records"));
            Assert.Equal(HttpStatusCode.OK, (await d.Client.GetAsync($"/Doctor/Records/{records[1]}/Download")).StatusCode);

            var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
            Assert.All(attempts, a => Assert.True(a.ChainAllowed));
            Assert.Equal(0u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
        }
    }

    private async Task<(TestUser Patient, TestUser Doctor, WebSession P, WebSession D, Guid[] Records)> RequestedWithRecordsAsync(int count)
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        var records = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = await p.UploadRecordAsync($"Record {i + 1}", $"record-{i + 1}.pdf", "application/pdf", SampleFiles.Pdf(2_000 + i));
        }

        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        return (patient, doctor, p, d, records);
    }

    private static async Task GrantAsync(WebSession patient, TestUser doctor, params Guid[] records)
    {
        using var grant = await PostGrantAsync(patient, doctor, records.Select(r => r.ToString()).ToArray());
        Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        var page = await patient.GetPageAsync("/Patient/Access");
        Assert.Null(page.QuerySelector("[role=alert]"));
    }

    private static Task<HttpResponseMessage> PostGrantAsync(WebSession patient, TestUser doctor, string[] records) =>
        PostAsync(patient, "Grant", doctor, records, ("Duration", "3"), ("Unit", "Days"));

    /// <summary>The Access page's form <paramref name="action"/> for the doctor with "Chosen records" and these ticked.</summary>
    private static async Task<HttpResponseMessage> PostAsync(WebSession patient, string action, TestUser doctor, string[] records, params (string Name, string Value)[] more)
    {
        var page = await patient.GetPageAsync("/Patient/Access");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var fields = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token), new("DoctorId", doctor.Id), new("Share", "Chosen") };
        fields.AddRange(records.Select(r => new KeyValuePair<string, string>("Records", r)));
        fields.AddRange(more.Select(m => new KeyValuePair<string, string>(m.Name, m.Value)));
        return await patient.Client.PostAsync($"/Patient/{action}", new FormUrlEncodedContent(fields));
    }
}
