using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Accounts;
using EhrShare.Core.Areas;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.SystemBench.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EhrShare.SystemBench.Stages;

public sealed record BenchUser(string Id, string Email, string Account, string? Address);

/// <summary>Who and what the stages work with; saved to state.json so the block-time phase (another process) finds them.</summary>
public sealed record WorldState
{
    public required BenchUser Patient { get; init; }

    public required List<BenchUser> Uploaders { get; init; }

    /// <summary>Doctors granted access to <see cref="Patient"/>'s records.</summary>
    public required List<BenchUser> Doctors { get; init; }

    /// <summary>A doctor the patient never granted: every read is an unauthorised attempt.</summary>
    public required BenchUser Outsider { get; init; }

    public required Guid Record1MiB { get; init; }

    public required Guid Record1KiB { get; init; }

    public required Guid Record50MiB { get; init; }

    public required int AreaId { get; init; }

    public const string FileName = "state.json";

    public void Save(string dir) => File.WriteAllText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));

    public static WorldState Load(string dir) =>
        JsonSerializer.Deserialize<WorldState>(File.ReadAllText(Path.Combine(dir, FileName)))
        ?? throw new InvalidOperationException($"{FileName} is empty: run the main phase first.");
}

/// <summary>
/// Creates the bench's patients and doctors through the real use cases (registration, then the admin's approval, which
/// funds their accounts and registers them on the contract), uploads their records through HTTP, and grants access
/// through <see cref="RequestAccess"/> and <see cref="GrantAccess"/> — the same paths the web pages take.
/// </summary>
public static class World
{
    public const string Password = "Bench-horse-9-battery";
    public const int PenaltyThreshold = 1_000_000;

    public static async Task<int> CreateAreaAsync(BenchApp app)
    {
        using var scope = app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<AreaManagement>()
            .CreateAsync("Bench " + Guid.NewGuid().ToString("N")[..8], CancellationToken.None)).Id;
    }

    public static async Task<BenchUser> PatientAsync(BenchApp app, int areaId)
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        var email = $"patient-{Guid.NewGuid():N}@bench.test";
        var user = await services.GetRequiredService<RegisterPatient>().ExecuteAsync(
            new PatientRegistration("Bench Patient " + email[8..14], email, Password, areaId, new DateOnly(1975, 3, 9)), CancellationToken.None);
        var approved = await services.GetRequiredService<ApproveUser>().ExecuteAsync(user.Id, CancellationToken.None);
        return new BenchUser(user.Id, email, approved.Account, approved.Address?.ToString());
    }

    public static async Task<BenchUser> DoctorAsync(BenchApp app)
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        var email = $"doctor-{Guid.NewGuid():N}@bench.test";
        var user = await services.GetRequiredService<RegisterDoctor>().ExecuteAsync(
            new DoctorRegistration("Bench Doctor " + email[7..13], email, Password, "LIC-" + Guid.NewGuid().ToString("N")[..10], "Cardiology"),
            CancellationToken.None);
        var approved = await services.GetRequiredService<ApproveUser>().ExecuteAsync(user.Id, CancellationToken.None);
        return new BenchUser(user.Id, email, approved.Account, null);
    }

    /// <summary>Runs <paramref name="make"/> <paramref name="count"/> times, a few at once.</summary>
    public static async Task<List<T>> ManyAsync<T>(int count, int parallel, Func<Task<T>> make, Action<int>? progress = null)
    {
        using var gate = new SemaphoreSlim(parallel);
        var done = 0;
        var tasks = Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var item = await make();
                progress?.Invoke(Interlocked.Increment(ref done));
                return item;
            }
            finally
            {
                gate.Release();
            }
        });
        return [.. await Task.WhenAll(tasks)];
    }

    /// <summary>The doctor asks, the patient grants for 30 days: two transactions, from each one's own account.</summary>
    public static async Task GrantAsync(BenchApp app, BenchUser patient, BenchUser doctor)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<RequestAccess>().ExecuteAsync(doctor.Id, patient.Address!, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<GrantAccess>().ExecuteAsync(patient.Id, doctor.Id, DateTimeOffset.UtcNow.AddDays(30), CancellationToken.None);
    }

    /// <summary>The newest committed record of the patient with this title.</summary>
    public static async Task<Guid> RecordIdAsync(BenchApp app, BenchUser patient, string title)
    {
        using var scope = app.Services.CreateScope();
        var records = await scope.ServiceProvider.GetRequiredService<ListRecords>().ForPatientAsync(patient.Id, CancellationToken.None);
        return records.First(r => r.Title == title).Id;
    }

    /// <summary>
    /// The owner raises the penalty threshold, so the bench's deliberate unauthorised attempts are logged and counted
    /// but do not suspend the doctor making them.
    /// </summary>
    public static async Task RaisePenaltyThresholdAsync(BenchApp app)
    {
        var contract = app.Get<EhrAccessContract>();
        var owner = app.Get<IOptions<ChainOptions>>().Value.GetManagerKey();
        if (await contract.PenaltyThresholdAsync() < PenaltyThreshold)
        {
            await contract.SetPenaltyThresholdAsync(owner, PenaltyThreshold);
        }
    }
}
