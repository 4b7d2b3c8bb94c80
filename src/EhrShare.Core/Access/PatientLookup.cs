using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.People;
using EhrShare.Core.Users;

namespace EhrShare.Core.Access;

/// <summary>A patient found by the address a doctor typed (AID-PID), as the contract registered it.</summary>
public sealed class PatientLookup(IAccessLedger ledger, PeopleDirectory people)
{
    /// <summary>The patient at <paramref name="text"/>; a typing mistake or an unknown address is a validation message.</summary>
    public async Task<PatientSummary> ByAddressAsync(string text, CancellationToken cancellationToken)
    {
        if (!PatientAddress.TryParse(text, out var address))
        {
            throw new ValidationFailedException($"'{text}' is not a patient address: enter {PatientAddress.FormatHint}.", "PatientAddress");
        }

        var account = await ledger.FindPatientAsync(address, cancellationToken)
            ?? throw new ValidationFailedException($"No patient has the address {address}. Check it with the patient.", "PatientAddress");
        var patients = await people.PatientsAsync([account], cancellationToken);
        return patients.TryGetValue(account, out var patient)
            ? patient
            : throw new ValidationFailedException($"No patient has the address {address}. Check it with the patient.", "PatientAddress");
    }
}
