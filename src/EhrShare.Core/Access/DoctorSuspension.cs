using System.Globalization;
using EhrShare.Core.Chain;

namespace EhrShare.Core.Access;

/// <summary>
/// A suspended doctor's situation in words, by the cause the contract recorded (its <c>AccountSuspended</c> event):
/// the manager's action or the penalty threshold. One wording for the banner on every page and the refusal pages.
/// </summary>
public static class DoctorSuspension
{
    public const string Headline = "Your account is suspended.";

    public static string Describe(LedgerSuspensionCause? cause, uint penalties) => cause switch
    {
        LedgerSuspensionCause.Manager =>
            "The EHR manager suspended it. You cannot read records or ask for access until the manager reinstates you.",
        LedgerSuspensionCause.RepeatedRefusals => string.Create(CultureInfo.InvariantCulture,
            $"The contract suspended it when its penalties reached {penalties}: one for each refused attempt to read records without access, or for an emergency access the manager judged abusive. You cannot read records or ask for access until the EHR manager reinstates you."),
        _ => "You cannot read records or ask for access until the EHR manager reinstates you.",
    };
}
