using System.Net;
using EhrShare.Testing;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Tests.Doctor;
using EhrShare.Web.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using FhirPatient = Hl7.Fhir.Model.Patient;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Tests.Api;

/// <summary>
/// The FHIR R4 API read by the Firely SDK's <see cref="FhirClient"/>: the CapabilityStatement, a patient's own
/// Patient and DocumentReferences, and a doctor's reads through the same decisions and on-chain log as the pages
/// (Binary gives the record's bytes; without a grant, 403 with an OperationOutcome, and the denial on the chain).
/// </summary>
public sealed class FhirReadTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Metadata_ListsExactlyWhatIsImplemented()
    {
        var client = FhirClients.For(fixture.App, "no-token-needed");
        var statement = await client.CapabilityStatementAsync();

        Assert.Equal(FHIRVersion.N4_0_1, statement!.FhirVersion);
        var resources = statement.Rest.Single().Resource.ToDictionary(r => r.Type!, r => r);
        Assert.Equal(["AuditEvent", "Binary", "Consent", "DocumentReference", "Observation", "Patient"], resources.Keys.Order());
        Assert.Equal(["date", "patient"], resources["AuditEvent"].SearchParam.Select(p => p.Name).Order());
        Assert.Equal([CapabilityStatement.TypeRestfulInteraction.SearchType], resources["AuditEvent"].Interaction.Select(i => i.Code!.Value));
        Assert.Equal(["date", "patient", "subject"], resources["DocumentReference"].SearchParam.Select(p => p.Name).Order());
        Assert.Equal([CapabilityStatement.TypeRestfulInteraction.Read], resources["Binary"].Interaction.Select(i => i.Code!.Value));
    }

    [Fact]
    public async Task APatient_ReadsTheirPatient_AndTheirRecordsAsDocumentReferences()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var content = SampleFiles.Pdf(3_000);
        Guid recordId;
        using (var page = WebSession.For(fixture.App))
        {
            await page.SignInAsync(patient.Email, World.Password);
            recordId = await page.UploadRecordAsync("Blood test", "blood.pdf", "application/pdf", content);
        }

        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs launch/patient");
        var client = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);

        var self = await client.ReadAsync<FhirPatient>($"Patient/{patient.Id}");
        Assert.Equal(patient.Address, self!.Identifier.Single().Value);
        Assert.Equal(patient.Name, self.Name.Single().Text);

        var found = await client.SearchAsync<DocumentReference>(["date=ge2020-01-01"]);
        var document = Assert.Single(found!.Entry.Select(e => e.Resource).OfType<DocumentReference>());
        Assert.Equal(recordId.ToString(), document.Id);
        Assert.Equal("Blood test", document.Description);
        var category = document.Category.Single().Coding.Single(); // uploaded without one: other
        Assert.Equal((FhirMapping.CategorySystem, "other", "Other"), (category.System, category.Code, category.Display));
        Assert.Equal(content.Length, document.Content.Single().Attachment.SizeUnsignedInt);
        Assert.Equal($"Binary/{recordId}", document.Content.Single().Attachment.Url);
        Assert.Empty((await client.SearchAsync<DocumentReference>(["date=lt2020-01-01"]))!.Entry);

        Assert.Equal(content, (await client.ReadAsync<Binary>($"Binary/{recordId}"))!.Data);
    }

    [Fact]
    public async Task AGrantedDoctor_SearchesAndReads_TheSameBytes_AndEachReadIsOnTheChain()
    {
        var (patient, recordId, content) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using (var d = WebSession.For(fixture.App))
        using (var p = WebSession.For(fixture.App))
        {
            await d.SignInAsync(doctor.Email, World.Password);
            await p.SignInAsync(patient.Email, World.Password);
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
            using var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant");
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        var client = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);

        var patients = await client.SearchAsync<FhirPatient>([$"identifier={patient.Address}"]);
        Assert.Equal(patient.Name, patients!.Entry.Select(e => e.Resource).OfType<FhirPatient>().Single().Name.Single().Text);
        var documents = await client.SearchAsync<DocumentReference>([$"patient=Patient/{patient.Id}"]);
        Assert.Equal(recordId.ToString(), documents!.Entry.Select(e => e.Resource).OfType<DocumentReference>().Single().Id);
        Assert.Equal(content, (await client.ReadAsync<Binary>($"Binary/{recordId}"))!.Data);

        var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 2);
        Assert.All(attempts, a => Assert.True(a.ChainAllowed));
        Assert.Equal(recordId, attempts[^1].RecordId);
    }

    [Fact]
    public async Task WithoutAGrant_ADoctorGets403WithAnOperationOutcome_AndTheDenialIsOnTheChain()
    {
        var (patient, recordId, _) = await PatientWithRecordAsync();
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        var client = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);

        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => client.ReadAsync<Binary>($"Binary/{recordId}"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        var issue = Assert.Single(refused.Outcome!.Issue);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, issue.Code);
        Assert.Contains("Ask the patient for access first", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Empty((await client.SearchAsync<FhirPatient>([]))!.Entry);

        var attempts = await Chain.AttemptsOnChainAsync(fixture.App, doctor.Id, 1);
        var denial = Assert.Single(attempts);
        Assert.False(denial.ChainAllowed);
        Assert.Equal(recordId, denial.RecordId);
        Assert.Equal(1u, (await Chain.StandingAsync(fixture.App, doctor.Id)).Penalties);
        _ = patient;
    }

    [Fact]
    public async Task UnsupportedSearchParameters_AndBadDates_Get400NamingThem()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs");
        var client = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);

        var unknown = await Assert.ThrowsAsync<FhirOperationException>(() => client.SearchAsync<DocumentReference>(["author=x"]));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("author", unknown.Outcome!.Issue.Single().Expression.Single());
        var badDate = await Assert.ThrowsAsync<FhirOperationException>(() => client.SearchAsync<DocumentReference>(["date=yesterday"]));
        Assert.Equal("date", badDate.Outcome!.Issue.Single().Expression.Single());
    }

    private async Task<(TestUser Patient, Guid RecordId, byte[] Content)> PatientWithRecordAsync()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var p = WebSession.For(fixture.App);
        await p.SignInAsync(patient.Email, World.Password);
        var content = SampleFiles.Pdf(4_000);
        return (patient, await p.UploadRecordAsync("Lab results", "labs.pdf", "application/pdf", content), content);
    }
}
