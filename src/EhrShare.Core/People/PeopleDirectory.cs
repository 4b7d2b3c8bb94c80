using EhrShare.Core.Data;
using EhrShare.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.People;

/// <summary>A user known by their chain account: their name and, for a doctor or a patient, how others see them.</summary>
public sealed record Person(string UserId, string Name, string Account)
{
    /// <summary>Set when the user is a doctor.</summary>
    public DoctorSummary? Doctor { get; init; }

    /// <summary>Set when the user is a patient with an address (approved).</summary>
    public PatientSummary? Patient { get; init; }
}

/// <summary>
/// Who is behind chain accounts: the one query from addresses (as events and the contract name people) to the users of
/// the app database, for every page that shows names beside chain data.
/// </summary>
public sealed class PeopleDirectory(IEhrDbContext db)
{
    /// <summary>The people behind <paramref name="accounts"/>, keyed by address (any case); unknown addresses are left out.</summary>
    public async Task<IReadOnlyDictionary<string, Person>> ByAccountAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken)
    {
        if (accounts.Count == 0)
        {
            return new Dictionary<string, Person>(StringComparer.OrdinalIgnoreCase);
        }

        var wanted = accounts.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var rows = await (
            from account in db.ChainAccounts.AsNoTracking()
            join user in db.Users.AsNoTracking() on account.UserId equals user.Id
            join doctor in db.Doctors.AsNoTracking() on user.Id equals doctor.UserId into doctors
            from doctor in doctors.DefaultIfEmpty()
            join patient in db.Patients.AsNoTracking() on user.Id equals patient.UserId into patients
            from patient in patients.DefaultIfEmpty()
            where wanted.Contains(account.Address)
            select new
            {
                user.Id,
                user.DisplayName,
                account.Address,
                IsDoctor = doctor != null,
                Specialty = doctor != null ? doctor.Specialty : null,
                Licence = doctor != null ? doctor.LicenceNumber : null,
                AreaId = patient != null ? (int?)patient.AreaId : null,
                Pid = patient != null ? patient.Pid : null,
            }).ToListAsync(cancellationToken);
        return rows.ToDictionary(
            r => r.Address,
            r => new Person(r.Id, r.DisplayName, r.Address)
            {
                Doctor = r.IsDoctor ? new DoctorSummary(r.Id, r.DisplayName, r.Specialty ?? "", r.Address) { LicenceNumber = r.Licence ?? "" } : null,
                Patient = r.AreaId is { } aid && r.Pid is { } pid ? new PatientSummary(r.Id, r.DisplayName, new PatientAddress((uint)aid, (uint)pid), r.Address) : null,
            },
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Names by address, for lists of chain events.</summary>
    public async Task<Dictionary<string, string>> NamesAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken) =>
        (await ByAccountAsync(accounts, cancellationToken)).ToDictionary(p => p.Key, p => p.Value.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The doctors among <paramref name="accounts"/>, by address.</summary>
    public async Task<Dictionary<string, DoctorSummary>> DoctorsAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken) =>
        (await ByAccountAsync(accounts, cancellationToken)).Values.Where(p => p.Doctor is not null)
            .ToDictionary(p => p.Account, p => p.Doctor!, StringComparer.OrdinalIgnoreCase);

    /// <summary>The patients with an address among <paramref name="accounts"/>, by address.</summary>
    public async Task<Dictionary<string, PatientSummary>> PatientsAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken) =>
        (await ByAccountAsync(accounts, cancellationToken)).Values.Where(p => p.Patient is not null)
            .ToDictionary(p => p.Account, p => p.Patient!, StringComparer.OrdinalIgnoreCase);
}
