using EhrShare.Core.Observations;
using EhrShare.Core.People;

namespace EhrShare.Web.Models;

/// <summary>The vital signs page: the patient's own (<see cref="Patient"/> null) or a granted patient's, for a doctor.</summary>
public sealed record VitalSignsModel(VitalSigns Vitals, PatientSummary? Patient)
{
    public string Heading => Patient is null ? "My vital signs" : $"Vital signs of {Patient.Name}";

    public static string Number(decimal value) => value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
