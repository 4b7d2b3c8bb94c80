using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Notifications;
using EhrShare.Core.People;
using EhrShare.Core.Records;

namespace EhrShare.Core.Access;

/// <summary>
/// Break-glass: a doctor opens a short access window on a patient's records for a stated reason, loudly logged for the
/// patient and the manager, limited and reviewed by the contract's rules. The chain gets only a salted commitment to the
/// reason; the reason and the salt are kept here, encrypted.
/// </summary>
public sealed class DeclareEmergency(
    IEhrDbContext db,
    RecordParties parties,
    PatientLookup patients,
    IAccessLedger ledger,
    IEmergencyReasonProtector reasons,
    TimeProvider clock,
    AccessNotices notices)
{
    /// <summary>Declares it; a refusal by the contract (logged on the chain) is an <see cref="EmergencyRefusedException"/>.</summary>
    public async Task<PatientSummary> ExecuteAsync(string doctorUserId, string patientAddress, string reason, CancellationToken cancellationToken)
    {
        var text = (reason ?? "").Trim();
        if (text.Length is < 10 or > 500)
        {
            throw new ValidationFailedException("Describe the emergency in 10 to 500 characters; the patient and the administrator will read it.", "Reason");
        }

        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        var patient = await patients.ByAddressAsync(patientAddress, cancellationToken);
        var salt = RandomNumberGenerator.GetBytes(32);
        var commitment = ledger.CommitToReason(salt, text);
        var protectedReason = reasons.Protect(new EmergencyReason(salt, text));
        var result = await ledger.DeclareEmergencyAsync(doctor.Account, patient.Account, commitment, cancellationToken);
        if (!result.Declared)
        {
            throw new EmergencyRefusedException(result.Refusal == LedgerEmergencyRefusal.TooMany
                ? await TooManyMessageAsync(doctor.Account.Address, cancellationToken)
                : $"You cannot declare another emergency for {patient.Address} yet: the patient ended your last one, and the administrator has not reviewed it. This refusal is recorded on the blockchain.");
        }

        var until = result.Until ?? clock.GetUtcNow();
        db.Emergencies.Add(new EmergencyDeclaration
        {
            DoctorUserId = doctor.User.Id,
            PatientUserId = patient.UserId,
            ProtectedReason = protectedReason,
            ReasonCommitment = commitment,
            DeclaredAt = clock.GetUtcNow(),
            BlockNumber = (long)result.BlockNumber,
            TransactionHash = result.TransactionHash,
            Until = until,
        });
        await db.SaveChangesAsync(CancellationToken.None);
        await notices.EmergencyAsync(patient, doctor, until);
        return patient;
    }

    /// <summary>How many emergencies the doctor declared in the contract's rolling period, and its limit: told before declaring.</summary>
    public async Task<LedgerEmergencyAllowance> AllowanceAsync(string doctorUserId, CancellationToken cancellationToken)
    {
        var doctor = await parties.DoctorAsync(doctorUserId, cancellationToken);
        return await ledger.GetEmergencyAllowanceAsync(doctor.Account.Address, cancellationToken);
    }

    private async Task<string> TooManyMessageAsync(string doctorAccount, CancellationToken cancellationToken)
    {
        var allowance = await ledger.GetEmergencyAllowanceAsync(doctorAccount, cancellationToken);
        return $"You have already declared {allowance.Limit} emergenc{(allowance.Limit == 1 ? "y" : "ies")} in the last {EmergencyReview.Describe(allowance.Period)}, the most allowed. "
            + "Ask the patient for access instead, or contact the administrator. This refusal is recorded on the blockchain.";
    }
}
