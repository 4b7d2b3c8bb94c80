using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.People;
using EhrShare.Core.Records;

namespace EhrShare.Core.Access;

/// <summary>A grant changed: <see cref="Records"/> the chosen ones, null for every record.</summary>
public sealed record GrantRecordsChange(DoctorSummary Doctor, IReadOnlyCollection<Guid>? Records);

/// <summary>A live grant extended: it ran until <see cref="From"/> and now runs until <see cref="To"/>.</summary>
public sealed record GrantExtension(DoctorSummary Doctor, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// A patient changes a grant in force: which records it covers, or how long it lasts. Each is one more grant on the
/// contract; refused, with nothing sent, when no grant is in force (an expired or revoked one is granted anew from a
/// request).
/// </summary>
public sealed class ChangeGrant(RecordParties parties, IAccessLedger ledger, TimeProvider clock, SharedRecords shared, GrantAccess grant)
{
    /// <summary>
    /// Changes which records the doctor's grant in force covers (<paramref name="records"/> null: every record), its expiry
    /// kept. Refused, with nothing sent, when the choice does not hold. Reads decided before the change is mined keep the
    /// set they were decided on (the contract keeps the one replaced).
    /// </summary>
    public async Task<GrantRecordsChange> RecordsAsync(
        string patientUserId, string doctorUserId, IReadOnlyCollection<Guid>? records, CancellationToken cancellationToken)
    {
        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        var expires = await InForceUntilAsync(patient, doctor, "change", cancellationToken);
        var chosen = await grant.OnChainAsync(patient, doctor, expires, records, checkChoice: true, cancellationToken);
        return new GrantRecordsChange(doctor, chosen);
    }

    /// <summary>
    /// Extends the doctor's grant in force by <paramref name="by"/>: the contract keeps a live grant's start (reads made
    /// under it stay allowed) and moves its expiry, and the records it covers stay the same. Refused when the new expiry
    /// would be more than <see cref="GrantAccess.MaxGrant"/> from now.
    /// </summary>
    public async Task<GrantExtension> ExtendAsync(string patientUserId, string doctorUserId, TimeSpan by, CancellationToken cancellationToken)
    {
        if (by <= TimeSpan.Zero)
        {
            throw new ValidationFailedException(GrantDuration.Rule, "Duration");
        }

        var (patient, doctor) = await parties.PatientAndDoctorAsync(patientUserId, doctorUserId, cancellationToken);
        var current = await InForceUntilAsync(patient, doctor, "extend", cancellationToken);
        var expires = current + by;
        if (expires > clock.GetUtcNow() + GrantAccess.MaxGrant)
        {
            throw new ValidationFailedException(
                $"Extended by {GrantDuration.Describe(by)}, Dr {doctor.Name}'s access would end on {expires:yyyy-MM-dd HH:mm} UTC, more than a year from now; nothing was changed. Choose a shorter extension.",
                "Duration");
        }

        // The extension keeps the records the grant covers (the contract writes nothing for the same set).
        var kept = await shared.KeptAsync(patient.Account.Address, doctor.Account, cancellationToken);
        await grant.ExecuteAsync(patientUserId, doctorUserId, expires, GrantScopeRules.CoveredAt(kept, ulong.MaxValue), checkChoice: false, cancellationToken);
        return new GrantExtension(doctor, current, expires);
    }

    /// <summary>When the grant in force ends, as the contract says now; a validation message when none is in force.</summary>
    private async Task<DateTimeOffset> InForceUntilAsync(PatientParty patient, DoctorSummary doctor, string change, CancellationToken cancellationToken)
    {
        var permission = await ledger.GetPermissionAsync(patient.Account.Address, doctor.Account, cancellationToken);
        return permission.Status == LedgerPermissionStatus.Granted && permission.ExpiresAt is { } expires && expires > clock.GetUtcNow()
            ? expires
            : throw new ValidationFailedException($"Dr {doctor.Name} has no access in force to {change}; nothing was changed.");
    }
}
