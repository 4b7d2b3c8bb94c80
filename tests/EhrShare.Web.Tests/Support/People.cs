using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Support;

/// <summary>Who can be signed in: every role in every state an account can be in.</summary>
public enum Who
{
    Anonymous,
    PendingPatient,
    RejectedPatient,
    PendingDoctor,
    Patient,
    Doctor,
    Admin,
}

/// <summary>
/// One app and one signed-in session per kind of user, made once for a test class (approvals are chain
/// transactions: worth sharing). Tests in a class run one at a time, so the sessions are not used concurrently.
/// </summary>
public sealed class PeopleFixture : IAsyncLifetime
{
    private readonly Dictionary<Who, WebSession> _sessions = [];

    public EhrAppFactory App { get; } = new();

    public TestUser Patient { get; private set; } = null!;

    public TestUser Doctor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Patient = await World.ApprovedPatientAsync(App);
        Doctor = await World.ApprovedDoctorAsync(App);
        _sessions[Who.Anonymous] = WebSession.For(App);
        _sessions[Who.Patient] = await SignedInAsync(Patient.Email);
        _sessions[Who.Doctor] = await SignedInAsync(Doctor.Email);
        var admin = WebSession.For(App);
        await admin.SignInAsAdminAsync();
        _sessions[Who.Admin] = admin;
        _sessions[Who.PendingPatient] = await SignedInAsync((await RegisterPatientAsync(reject: false)).Email);
        _sessions[Who.RejectedPatient] = await SignedInAsync((await RegisterPatientAsync(reject: true)).Email);
        _sessions[Who.PendingDoctor] = await SignedInAsync(await RegisterDoctorAsync());
    }

    public WebSession As(Who who) => _sessions[who];

    public async Task DisposeAsync()
    {
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        await App.DisposeAsync();
    }

    private async Task<WebSession> SignedInAsync(string email)
    {
        var session = WebSession.For(App);
        await session.SignInAsync(email, World.Password);
        return session;
    }

    private async Task<TestUser> RegisterPatientAsync(bool reject)
    {
        using var scope = App.Services.CreateScope();
        var services = scope.ServiceProvider;
        var area = await services.GetRequiredService<AreaManagement>().CreateAsync("Area " + Guid.NewGuid().ToString("N")[..10], CancellationToken.None);
        var email = $"pending-{Guid.NewGuid():N}@example.test";
        var user = await services.GetRequiredService<RegisterPatient>().ExecuteAsync(
            new PatientRegistration("Pending Pat", email, World.Password, area.Id, new DateOnly(1975, 1, 2)), CancellationToken.None);
        if (reject)
        {
            await services.GetRequiredService<RejectUser>().ExecuteAsync(user.Id, CancellationToken.None);
        }

        return new TestUser(user.Id, email, user.DisplayName, null);
    }

    private async Task<string> RegisterDoctorAsync()
    {
        using var scope = App.Services.CreateScope();
        var email = $"pending-doctor-{Guid.NewGuid():N}@example.test";
        await scope.ServiceProvider.GetRequiredService<RegisterDoctor>().ExecuteAsync(
            new DoctorRegistration("Pending Doc", email, World.Password, "LIC-" + Guid.NewGuid().ToString("N")[..10], "Surgery"), CancellationToken.None);
        return email;
    }
}
