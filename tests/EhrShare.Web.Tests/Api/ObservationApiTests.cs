using System.Net;
using System.Text.Json;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Tests.Doctor;
using EhrShare.Web.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Tests.Api;

/// <summary>
/// A gateway registered by its patient posts Observations (one, or a transaction Bundle) with a client-credentials
/// token; each request is one encrypted record. The patient's granted doctor searches them with the Firely SDK's
/// FhirClient and reads the record's Binary. Bad resources are refused whole, naming the element; a device never reads;
/// a revoked device's tokens stop working.
/// </summary>
public sealed class ObservationApiTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task ADevice_PostsABundle_AndAGrantedDoctor_SearchesItAndReadsTheRecord()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var page = WebSession.For(fixture.App);
        await page.SignInAsync(patient.Email, World.Password);
        var (clientId, secret) = await RegisterDeviceAsync(page, "Bedroom hub");
        var device = FhirClients.For(fixture.App, await DeviceTokenAsync(clientId, secret));

        var answer = await device.TransactionAsync(HeartRateAndBloodPressure(patient.Id));

        Assert.Equal(Bundle.BundleType.TransactionResponse, answer!.Type);
        Assert.Equal(["201 Created", "201 Created"], answer.Entry.Select(e => e.Response!.Status));
        Assert.Equal(1, await RecordSteps.CommittedRecordCountAsync(fixture.App, patient.Id));
        var devices = await page.GetPageAsync("/Patient/Devices");
        Assert.DoesNotContain("never", devices.QuerySelector("#devices tbody tr")!.TextContent, StringComparison.Ordinal);

        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using (var d = WebSession.For(fixture.App))
        {
            await d.SignInAsync(doctor.Email, World.Password);
            await DoctorAccessTests.RequestAsync(d, patient.Address!);
            using var grant = await page.SubmitAsync("/Patient/Access", new Dictionary<string, string> { ["Duration"] = "3", ["Unit"] = "Days" }, "Grant");
            Assert.Equal(HttpStatusCode.Redirect, grant.StatusCode);
        }

        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        var reader = FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);
        var heartRates = await reader.SearchAsync<Observation>([$"patient=Patient/{patient.Id}", "code=http://loinc.org|8867-4"]);
        var heartRate = Assert.Single(heartRates!.Entry.Select(e => e.Resource).OfType<Observation>());
        Assert.Equal(72m, ((Quantity)heartRate.Value!).Value);
        Assert.Equal($"Patient/{patient.Id}", heartRate.Subject!.Reference);
        var all = await reader.SearchAsync<Observation>([$"patient=Patient/{patient.Id}", "date=ge2026-12-01", "date=lt2026-12-02"]);
        Assert.Equal(2, all!.Entry.Count);
        Assert.Empty((await reader.SearchAsync<Observation>([$"patient=Patient/{patient.Id}", "date=lt2026-12-01"]))!.Entry);

        var record = (await reader.SearchAsync<DocumentReference>([$"patient=Patient/{patient.Id}"]))!.Entry.Select(e => e.Resource).OfType<DocumentReference>().Single();
        Assert.Equal("2 observations from Bedroom hub", record.Description);
        var category = record.Category.Single().Coding.Single();
        Assert.Equal((FhirMapping.CategorySystem, "vitals"), (category.System, category.Code));
        // The record's raw bytes (the SDK's Binary read would parse FHIR JSON content as the resource it is).
        using var raw = fixture.App.CreateClient();
        using var request = OAuthSteps.Bearer(HttpMethod.Get, $"/fhir/R4/Binary/{record.Id}", tokens.GetProperty("access_token").GetString()!);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("application/octet-stream");
        using var response = await raw.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var stored = (Bundle)new FhirJsonDeserializer().DeserializeResource(await response.Content.ReadAsStringAsync());
        Assert.Equal(all.Entry.Select(e => e.Resource!.Id).Order(), stored.Entry.Select(e => e.Resource!.Id).Order());
    }

    [Fact]
    public async Task ABadResource_Gets400NamingTheElement_AndNothingIsStored()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var page = WebSession.For(fixture.App);
        await page.SignInAsync(patient.Email, World.Password);
        var (clientId, secret) = await RegisterDeviceAsync(page, "Wrist band");
        var device = FhirClients.For(fixture.App, await DeviceTokenAsync(clientId, secret));
        var bundle = HeartRateAndBloodPressure(patient.Id);
        ((Observation)bundle.Entry[1].Resource!).Code = null!;

        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => device.TransactionAsync(bundle));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("Bundle.entry[1].resource.code", refused.Outcome!.Issue.SelectMany(i => i.Expression));

        var other = new Observation { Status = ObservationStatus.Final, Code = HeartRateCode(), Effective = new FhirDateTime(2026, 12, 1), Value = new Quantity(60, "/min"), Subject = new ResourceReference("Patient/someone-else") };
        var wrongPatient = await Assert.ThrowsAsync<FhirOperationException>(() => device.CreateAsync(other));
        Assert.Contains("Observation.subject", wrongPatient.Outcome!.Issue.SelectMany(i => i.Expression));

        using var raw = fixture.App.CreateClient();
        using var request = OAuthSteps.Bearer(HttpMethod.Post, "/fhir/R4/Observation", await DeviceTokenAsync(clientId, secret));
        request.Content = new StringContent("""{"resourceType":"Observation","status":"final","colour":"red"}""", System.Text.Encoding.UTF8, "application/fhir+json");
        using var unknownElement = await raw.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, unknownElement.StatusCode);
        var outcome = JsonDocument.Parse(await unknownElement.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("colour", outcome.GetProperty("issue")[0].GetProperty("expression")[0].GetString(), StringComparison.Ordinal);

        Assert.Equal(0, await RecordSteps.CommittedRecordCountAsync(fixture.App, patient.Id));
    }

    [Fact]
    public async Task ADeviceToken_CannotRead_NorAskForMore_AndARevokedDeviceIsLockedOut()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        using var page = WebSession.For(fixture.App);
        await page.SignInAsync(patient.Email, World.Password);
        var (clientId, secret) = await RegisterDeviceAsync(page, "Scale");
        var token = await DeviceTokenAsync(clientId, secret);
        var device = FhirClients.For(fixture.App, token);

        var read = await Assert.ThrowsAsync<FhirOperationException>(() => device.SearchAsync<Observation>([$"patient=Patient/{patient.Id}"]));
        Assert.Equal(HttpStatusCode.Forbidden, read.Status);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, read.Outcome!.Issue.Single().Code);
        using var client = fixture.App.CreateClient();
        var (status, error) = await OAuthSteps.ClientCredentialsAsync(client, clientId, secret, "patient/*.rs");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(error.TryGetProperty("access_token", out _));

        var row = (await page.GetPageAsync("/Patient/Devices")).QuerySelector("#devices tbody tr")!;
        using (var revoke = await page.SubmitAsync("/Patient/Devices", new Dictionary<string, string>(), $"/Patient/Devices/{row.GetAttribute("data-device-id")}/Revoke"))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        var after = await Assert.ThrowsAsync<FhirOperationException>(() => device.CreateAsync(HeartRate(patient.Id)));
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        var (again, refusal) = await OAuthSteps.ClientCredentialsAsync(client, clientId, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, again);
        Assert.Equal("invalid_client", refusal.GetProperty("error").GetString());
    }

    private async Task<string> DeviceTokenAsync(string clientId, string secret)
    {
        using var client = fixture.App.CreateClient();
        var (status, body) = await OAuthSteps.ClientCredentialsAsync(client, clientId, secret, "patient/Observation.c");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.False(body.TryGetProperty("refresh_token", out _));
        return body.GetProperty("access_token").GetString()!;
    }

    private static async Task<(string ClientId, string Secret)> RegisterDeviceAsync(WebSession page, string name)
    {
        using var response = await page.SubmitAsync("/Patient/Devices", new Dictionary<string, string> { ["name"] = name }, "/Patient/Devices");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shown = await WebSession.ParseAsync(response);
        return (shown.QuerySelector("[data-client-id]")!.TextContent, shown.QuerySelector("[data-client-secret]")!.TextContent);
    }

    private static CodeableConcept HeartRateCode() => new("http://loinc.org", "8867-4", "Heart rate");

    private static Observation HeartRate(string patientId) => new()
    {
        Status = ObservationStatus.Final,
        Code = HeartRateCode(),
        Subject = new ResourceReference("Patient/" + patientId),
        Effective = new FhirDateTime(new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero)),
        Value = new Quantity(72, "beats/minute", "http://unitsofmeasure.org") { Code = "/min" },
    };

    private static Bundle HeartRateAndBloodPressure(string patientId)
    {
        var pressure = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "85354-9", "Blood pressure panel"),
            Effective = new FhirDateTime(new DateTimeOffset(2026, 12, 1, 8, 31, 0, TimeSpan.Zero)),
            Component =
            [
                new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "8480-6", "Systolic"), Value = new Quantity(121, "mmHg", "http://unitsofmeasure.org") { Code = "mm[Hg]" } },
                new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "8462-4", "Diastolic"), Value = new Quantity(79, "mmHg", "http://unitsofmeasure.org") { Code = "mm[Hg]" } },
            ],
        };
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.AddResourceEntry(HeartRate(patientId), "urn:uuid:" + Guid.NewGuid()).Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" };
        bundle.AddResourceEntry(pressure, "urn:uuid:" + Guid.NewGuid()).Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" };
        return bundle;
    }
}
