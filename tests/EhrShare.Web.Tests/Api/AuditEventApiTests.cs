using System.Net;
using EhrShare.Testing;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Tests.Doctor;
using EhrShare.Web.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Tests.Api;

/// <summary>
/// AuditEvent through the Firely SDK's <see cref="FhirClient"/>: a patient's access history from the chain (a granted
/// doctor's read, a refused doctor's read, an emergency), each event with its transaction hash; search by date; only
/// the patient's own token reads it.
/// </summary>
public sealed class AuditEventApiTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private const string Reason = "Unconscious on arrival, allergy check needed";

    [Fact]
    public async Task APatient_SeesAllowedDeniedAndEmergencyAccess_EachWithItsTransactionHash()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var granted = await World.ApprovedDoctorAsync(fixture.App);
        var refused = await World.ApprovedDoctorAsync(fixture.App);
        var emergency = await World.ApprovedDoctorAsync(fixture.App);
        Guid recordId;
        using (var p = WebSession.For(fixture.App))
        using (var d = WebSession.For(fixture.App))
        {
            await p.SignInAsync(patient.Email, World.Password);
            recordId = await p.UploadRecordAsync("Allergy letter", "allergy.pdf", "application/pdf", SampleFiles.Pdf(2_000));
            await d.SignInAsync(granted.Email, World.Password);
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
            using var grant = await p.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Days"] = "3" }, "Grant");
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        await ReadBinaryAsync(granted, recordId, HttpStatusCode.OK);
        await ReadBinaryAsync(refused, recordId, HttpStatusCode.Forbidden);
        await DeclareEmergencyAsync(emergency, patient);
        var allowedHash = (await Chain.AttemptsOnChainAsync(fixture.App, granted.Id, 1))[0].TransactionHash;
        var deniedHash = (await Chain.AttemptsOnChainAsync(fixture.App, refused.Id, 1))[0].TransactionHash;

        var client = await PatientClientAsync(patient);
        var events = await Eventually.WaitForAsync(
            async () => (await client.SearchAsync<AuditEvent>([]))!.Entry.Select(e => e.Resource).OfType<AuditEvent>().ToList(),
            found => found.Any(e => Event(e) == "AccessDenied" && Transaction(e) == deniedHash)
                && found.Any(e => Event(e) == "AccessGranted" && Transaction(e) == allowedHash)
                && found.Any(e => Event(e) == "EmergencyAccess"),
            "the read, the denial and the emergency as AuditEvents",
            describe: found => string.Join("; ", found.Select(e => $"{Event(e)} {Transaction(e)}")));

        var allowed = events.Single(e => Event(e) == "AccessGranted" && Transaction(e) == allowedHash);
        Assert.Equal(AuditEvent.AuditEventOutcome.N0, allowed.Outcome);
        Assert.Equal(AuditEvent.AuditEventAction.R, allowed.Action);
        Assert.Equal("Dr " + granted.Name, allowed.Agent.Single().Who!.Display);
        Assert.True(allowed.Agent.Single().Requestor);
        Assert.Contains(allowed.Entity, e => e.What?.Reference == $"DocumentReference/{recordId}");
        Assert.Contains(allowed.Entity, e => e.What?.Reference == $"Patient/{patient.Id}");

        var denied = events.Single(e => Event(e) == "AccessDenied");
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, denied.Outcome);
        Assert.Equal("Dr " + refused.Name, denied.Agent.Single().Who!.Display);
        Assert.StartsWith("Recorded on the chain in block", denied.Entity.Single(e => e.What?.Identifier is not null).Description, StringComparison.Ordinal);

        var declared = events.Single(e => Event(e) == "EmergencyAccess");
        Assert.Equal("BTG", declared.PurposeOfEvent.Single().Coding.Single().Code);
        Assert.Equal(Reason, declared.PurposeOfEvent.Single().Text);
        Assert.Equal(AuditEvent.AuditEventAction.E, declared.Action);
        Assert.StartsWith("0x", Transaction(declared), StringComparison.Ordinal);
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task DateSearch_NarrowsTheHistory_PagesLink_AndBadValuesGet400()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using (var p = WebSession.For(fixture.App))
        {
            await p.SignInAsync(patient.Email, World.Password);
            await p.UploadRecordAsync("Scan", "scan.pdf", "application/pdf", SampleFiles.Pdf(1_000));
        }

        var client = await PatientClientAsync(patient);
        var all = await Eventually.WaitForAsync(
            async () => (await client.SearchAsync<AuditEvent>([]))!,
            bundle => bundle.Entry.Select(e => e.Resource).OfType<AuditEvent>().Any(e => Event(e) == "RecordAdded"),
            "the record's addition as an AuditEvent");
        Assert.Equal(all.Entry.Count, all.Total);
        Assert.NotNull(all.FirstLink);
        Assert.Null(all.NextLink);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var added = all.Entry.Select(e => e.Resource).OfType<AuditEvent>().First(e => Event(e) == "RecordAdded").Recorded!.Value;
        Assert.Equal(0, (await client.SearchAsync<AuditEvent>(["date=lt2000-01-01"]))!.Total);
        var exact = await client.SearchAsync<AuditEvent>([$"date=ge{Instant(added)}", $"date=le{Instant(added)}"]);
        Assert.Contains(exact!.Entry.Select(e => e.Resource).OfType<AuditEvent>(), e => Event(e) == "RecordAdded");
        Assert.Equal(0, (await client.SearchAsync<AuditEvent>([$"date=gt{Instant(added)}", "date=lt2000-01-01"]))!.Total);
        Assert.True((await client.SearchAsync<AuditEvent>([$"patient=Patient/{patient.Id}", "date=ge" + today[..7]]))!.Total >= 1);

        var ne = await Assert.ThrowsAsync<FhirOperationException>(() => client.SearchAsync<AuditEvent>(["date=ne2026"]));
        Assert.Equal(HttpStatusCode.BadRequest, ne.Status);
        Assert.Equal("date", ne.Outcome!.Issue.Single().Expression.Single());
        var page = await Assert.ThrowsAsync<FhirOperationException>(() => client.SearchAsync<AuditEvent>(["_page=0"]));
        Assert.Equal("_page", page.Outcome!.Issue.Single().Expression.Single());
        var unknown = await Assert.ThrowsAsync<FhirOperationException>(() => client.SearchAsync<AuditEvent>(["agent=x"]));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
    }

    [Fact]
    public async Task OnlyThePatientsOwnToken_ReadsTheirHistory()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var other = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);

        var client = await PatientClientAsync(other);
        var notMine = await Assert.ThrowsAsync<FhirOperationException>(() => client.SearchAsync<AuditEvent>([$"patient=Patient/{patient.Id}"]));
        Assert.Equal(HttpStatusCode.Forbidden, notMine.Status);

        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        var doctors = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);
        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => doctors.SearchAsync<AuditEvent>([$"patient=Patient/{patient.Id}"]));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("patient's own access history", refused.Outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    internal static string Event(AuditEvent e) => e.Subtype.Single().Code ?? "";

    internal static string? Transaction(AuditEvent e) =>
        e.Entity.Select(x => x.What?.Identifier).SingleOrDefault(i => i?.System == AuditEventMapping.TransactionSystem)?.Value;

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<FhirClient> PatientClientAsync(TestUser patient)
    {
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs");
        return FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);
    }

    private async Task ReadBinaryAsync(TestUser doctor, Guid recordId, HttpStatusCode expected)
    {
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        using var http = fixture.App.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        using var response = await http.GetAsync($"/fhir/R4/Binary/{recordId}");
        Assert.Equal(expected, response.StatusCode);
    }

    private async Task DeclareEmergencyAsync(TestUser doctor, TestUser patient)
    {
        using var session = WebSession.For(fixture.App);
        await session.SignInAsync(doctor.Email, World.Password);
        using var declared = await session.SubmitAsync("/Doctor", new Dictionary<string, string>
        {
            ["Emergency.PatientAddress"] = patient.Address!,
            ["Emergency.Reason"] = Reason,
            ["confirmed"] = "true",
        }, "Emergency");
        Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
    }
}
