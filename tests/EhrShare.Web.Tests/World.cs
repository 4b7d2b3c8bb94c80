using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests;

/// <summary>Creates approved patients and doctors through the real use cases (registration, then the admin's approval,
/// which registers them on the chain), for tests that start from a populated system.</summary>
public static class World
{
    public const string Password = "Correct-horse-9";

    public static async Task<TestUser> ApprovedPatientAsync(EhrAppFactory app, int? areaId = null)
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        areaId ??= (await services.GetRequiredService<AreaManagement>().CreateAsync("Area " + Guid.NewGuid().ToString("N")[..10], CancellationToken.None)).Id;
        var email = $"patient-{Guid.NewGuid():N}@example.test";
        var user = await services.GetRequiredService<RegisterPatient>().ExecuteAsync(
            new PatientRegistration("Pat " + email[8..14], email, Password, areaId.Value, new DateOnly(1980, 5, 17)), CancellationToken.None);
        var approved = await services.GetRequiredService<ApproveUser>().ExecuteAsync(user.Id, CancellationToken.None);
        return new TestUser(user.Id, email, user.DisplayName, approved.Address?.ToString());
    }

    public static async Task<TestUser> ApprovedDoctorAsync(EhrAppFactory app)
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        var email = $"doctor-{Guid.NewGuid():N}@example.test";
        var user = await services.GetRequiredService<RegisterDoctor>().ExecuteAsync(
            new DoctorRegistration("Doc " + email[7..13], email, Password, "LIC-" + Guid.NewGuid().ToString("N")[..10], "Cardiology"), CancellationToken.None);
        await services.GetRequiredService<ApproveUser>().ExecuteAsync(user.Id, CancellationToken.None);
        return new TestUser(user.Id, email, user.DisplayName, null);
    }
}

public sealed record TestUser(string Id, string Email, string Name, string? Address);
