using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Security;

/// <summary>
/// Names other users see are kept without bidi overrides, zero-width or control characters, wherever users type them:
/// a doctor named "Dr Eve\u202Eyeknom" would show as "Dr Evemonkey"; an area's name reaches every registering patient.
/// </summary>
public sealed class FormatCharacterTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    [Fact]
    public async Task Registration_KeepsNamesAndSpecialtyWithoutFormatOrControlCharacters()
    {
        using var scope = fixture.App.Services.CreateScope();
        var services = scope.ServiceProvider;
        var area = await services.GetRequiredService<AreaManagement>().CreateAsync("Area " + Guid.NewGuid().ToString("N")[..10], CancellationToken.None);

        var patient = await services.GetRequiredService<RegisterPatient>().ExecuteAsync(
            new PatientRegistration("Ada\u200B \u202ELovelace\u202C\t", $"p-{Guid.NewGuid():N}@example.test", World.Password, area.Id, new DateOnly(1980, 1, 2)),
            CancellationToken.None);
        var doctor = await services.GetRequiredService<RegisterDoctor>().ExecuteAsync(
            new DoctorRegistration("Dr Eve\u202Eyeknom", $"d-{Guid.NewGuid():N}@example.test", World.Password, "LIC-" + Guid.NewGuid().ToString("N")[..10], "Cardio\u2066logy\u2069\u0007"),
            CancellationToken.None);

        Assert.Equal("Ada Lovelace", patient.DisplayName);
        Assert.Equal("Dr Eveyeknom", doctor.DisplayName);
        using var check = fixture.App.Services.CreateScope();
        var db = check.ServiceProvider.GetRequiredService<EhrShare.Core.Data.IEhrDbContext>();
        Assert.Equal("Cardiology", (await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Doctors, d => d.UserId == doctor.Id)).Specialty);
    }

    [Fact]
    public async Task Areas_AreNamedAndRenamedWithoutFormatOrControlCharacters()
    {
        using var scope = fixture.App.Services.CreateScope();
        var areas = scope.ServiceProvider.GetRequiredService<AreaManagement>();
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var area = await areas.CreateAsync($"North\u200D {suffix}\u202E", CancellationToken.None);
        Assert.Equal($"North {suffix}", area.Name);

        await areas.RenameAsync(area.Id, $"\uFEFFSouth {suffix}\u2067", CancellationToken.None);
        Assert.Equal($"South {suffix}", (await areas.ListAsync(openOnly: false, CancellationToken.None)).Single(a => a.Id == area.Id).Name);
    }
}
