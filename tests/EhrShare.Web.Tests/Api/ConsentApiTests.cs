using System.Net;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Web.Api.Fhir;
using EhrShare.Web.Tests.Doctor;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace EhrShare.Web.Tests.Api;

/// <summary>
/// Consent through the Firely SDK's <see cref="FhirClient"/>: a patient's doctors as Consents, and grants, declines and
/// revocations written by the patient's app (through the same use cases and contract as the Access page); bad input is
/// a 400 naming the element with nothing changed; only a patient's token with <c>patient/Consent.cu</c> writes.
/// </summary>
public sealed class ConsentApiTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private const string Scopes = "patient/*.rs patient/Consent.cu";

    [Fact]
    public async Task APatient_SeesARequest_GrantsIt_ThenRevokesIt_ByUpdatingTheConsent()
    {
        var (patient, doctor) = await RequestedAsync();
        var client = await ClientAsync(patient, Scopes);

        var listed = Consents(await client.SearchAsync<Consent>([]));
        var consent = Assert.Single(listed);
        Assert.Equal(Consent.ConsentState.Proposed, consent.Status);
        Assert.Equal(await AccountOfAsync(doctor), consent.Provision!.Actor.Single().Reference!.Identifier!.Value);
        Assert.Equal($"Patient/{patient.Id}", consent.Patient!.Reference);
        Assert.Equal(consent.Id, (await client.ReadAsync<Consent>($"Consent/{consent.Id}"))!.Id);

        var until = DateTimeOffset.UtcNow.AddDays(3);
        consent.Status = Consent.ConsentState.Active;
        consent.Provision!.Period = new Period { EndElement = new FhirDateTime(until) };
        var granted = await client.UpdateAsync(consent);
        Assert.Equal(Consent.ConsentState.Active, granted!.Status);
        Assert.Equal(Consent.ConsentProvisionType.Permit, granted.Provision!.Type);
        Assert.True(granted.Provision!.Period!.EndElement!.TryToDateTimeOffset(out var end));
        Assert.InRange(end.ToUnixTimeSeconds(), until.ToUnixTimeSeconds() - 1, until.ToUnixTimeSeconds() + 1);
        Assert.Single(Consents(await client.SearchAsync<Consent>(["status=active"])));

        // The doctor may read now: the doctor's own API shows the patient's name, as the contract decides.
        var doctorTokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, doctor.Email, "user/*.rs");
        var doctors = FhirClients.For(fixture.App, doctorTokens.GetProperty("access_token").GetString()!);
        Assert.Equal(patient.Name, (await doctors.SearchAsync<Hl7.Fhir.Model.Patient>([$"identifier={patient.Address}"]))!
            .Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Patient>().Single().Name.Single().Text);

        granted.Status = Consent.ConsentState.Inactive;
        var revoked = await client.UpdateAsync(granted);
        Assert.Equal(Consent.ConsentState.Inactive, revoked!.Status);
        Assert.Equal(Consent.ConsentProvisionType.Deny, revoked.Provision!.Type);
        Assert.Empty((await doctors.SearchAsync<Hl7.Fhir.Model.Patient>([]))!.Entry);
    }

    [Fact]
    public async Task APatient_DeclinesARequest()
    {
        var (patient, _) = await RequestedAsync();
        var client = await ClientAsync(patient, Scopes);
        var consent = Consents(await client.SearchAsync<Consent>([])).Single();

        consent.Status = Consent.ConsentState.Rejected;
        var declined = await client.UpdateAsync(consent);

        Assert.Equal(Consent.ConsentState.Rejected, declined!.Status);
        Assert.Equal(Consent.ConsentState.Rejected, (await client.ReadAsync<Consent>($"Consent/{consent.Id}"))!.Status);
    }

    [Fact]
    public async Task APatient_GrantsADoctorWhoDidNotAsk_ByCreatingAConsent()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        var client = await ClientAsync(patient, Scopes);

        var created = await client.CreateAsync(new Consent
        {
            Status = Consent.ConsentState.Active,
            Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
            Category = [new CodeableConcept("http://loinc.org", "59284-0")],
            Provision = new Consent.provisionComponent
            {
                Period = new Period { EndElement = new FhirDateTime(DateTimeOffset.UtcNow.AddDays(1)) },
                Actor =
                [
                    new Consent.provisionActorComponent
                    {
                        Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PRCP"),
                        Reference = new ResourceReference { Identifier = new Identifier(AuditEventMapping.AccountSystem, await AccountOfAsync(doctor)) },
                    },
                ],
            },
        });

        Assert.Equal(Consent.ConsentState.Active, created!.Status);
        Assert.Equal(created.Id, Consents(await client.SearchAsync<Consent>([])).Single().Id);
    }

    [Fact]
    public async Task BadConsents_Get400NamingTheElement_AndChangeNothing()
    {
        var (patient, doctor) = await RequestedAsync();
        var client = await ClientAsync(patient, Scopes);
        var consent = Consents(await client.SearchAsync<Consent>([])).Single();

        consent.Status = Consent.ConsentState.Draft;
        await AssertInvalidAsync(() => client.UpdateAsync(consent), "Consent.status");
        consent.Status = Consent.ConsentState.Active;
        await AssertInvalidAsync(() => client.UpdateAsync(consent), "Consent.provision.period.end");
        consent.Provision!.Period = new Period { EndElement = new FhirDateTime(DateTimeOffset.UtcNow.AddYears(2)) };
        await AssertInvalidAsync(() => client.UpdateAsync(consent), "Consent.provision.period.end");
        consent.Provision!.Period = new Period { EndElement = new FhirDateTime(DateTimeOffset.UtcNow.AddDays(2)) };
        consent.Patient = new ResourceReference("Patient/someone-else");
        await AssertInvalidAsync(() => client.UpdateAsync(consent), "Consent.patient");
        consent.Patient = null;
        consent.Provision!.Actor[0].Reference!.Identifier!.Value = "0x1234";
        await AssertInvalidAsync(() => client.UpdateAsync(consent), "Consent.provision.actor");
        await AssertInvalidAsync(() => client.CreateAsync(new Consent { Status = Consent.ConsentState.Active }), "$this.scope");
        await AssertInvalidAsync(() => client.CreateAsync(new Consent
        {
            Status = Consent.ConsentState.Active,
            Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
            Category = [new CodeableConcept("http://loinc.org", "59284-0")],
        }), "Consent.provision.period.end");

        Assert.Equal(Consent.ConsentState.Proposed, (await client.ReadAsync<Consent>($"Consent/{consent.Id}"))!.Status);
        var unknown = await Assert.ThrowsAsync<FhirOperationException>(() => client.ReadAsync<Consent>("Consent/1-1-" + new string('a', 40)));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        _ = doctor;
    }

    [Fact]
    public async Task WithoutTheWriteScope_OrForADoctor_ConsentsAreRefused()
    {
        var (patient, doctor) = await RequestedAsync();
        var readOnly = await ClientAsync(patient, "patient/*.rs");
        var consent = Consents(await readOnly.SearchAsync<Consent>([])).Single();
        consent.Status = Consent.ConsentState.Rejected;

        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => readOnly.UpdateAsync(consent));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("patient/Consent.cu", refused.Outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Equal(Consent.ConsentState.Proposed, (await readOnly.ReadAsync<Consent>($"Consent/{consent.Id}"))!.Status);

        var doctors = await ClientAsync(doctor, "user/*.rs");
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<FhirOperationException>(() => doctors.SearchAsync<Consent>([]))).Status);
    }

    private static List<Consent> Consents(Bundle? bundle) => bundle!.Entry.Select(e => e.Resource).OfType<Consent>().ToList();

    private static async Task AssertInvalidAsync(Func<Task> write, string element)
    {
        var invalid = await Assert.ThrowsAsync<FhirOperationException>(write);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains(invalid.Outcome!.Issue, i => i.Expression.Contains(element));
    }

    private async Task<(TestUser Patient, TestUser Doctor)> RequestedAsync()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var doctor = await World.ApprovedDoctorAsync(fixture.App);
        using var d = WebSession.For(fixture.App);
        await d.SignInAsync(doctor.Email, World.Password);
        await DoctorAccessTests.RequestAsync(d, patient.Address!);
        return (patient, doctor);
    }

    private async Task<FhirClient> ClientAsync(TestUser user, string scope)
    {
        var tokens = await OAuthSteps.SignInAndAllowAsync(fixture.App, user.Email, scope);
        return FhirClients.For(fixture.App, tokens.GetProperty("access_token").GetString()!);
    }

    private async Task<string> AccountOfAsync(TestUser user)
    {
        using var scope = fixture.App.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<EhrDbContext>().ChainAccounts.AsNoTracking()
            .Where(a => a.UserId == user.Id).Select(a => a.Address).SingleAsync()).ToLowerInvariant();
    }
}
