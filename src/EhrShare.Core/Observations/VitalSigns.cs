using Hl7.Fhir.Model;

namespace EhrShare.Core.Observations;

/// <summary>A heart rate reading, in beats per minute.</summary>
public sealed record HeartRateReading(DateTimeOffset At, decimal BeatsPerMinute);

/// <summary>A blood pressure reading, in mmHg.</summary>
public sealed record BloodPressureReading(DateTimeOffset At, decimal Systolic, decimal Diastolic);

/// <summary>
/// The vital signs a chart shows, from a patient's Observations (LOINC codes as the FHIR vital signs profiles name
/// them): heart rate (8867-4, in /min) and blood pressure panels (85354-9, with systolic 8480-6 and diastolic 8462-4
/// components in mm[Hg]), oldest first. Readings entered in error or cancelled are left out; a heart rate or blood
/// pressure reading in another unit or without its values is counted in <see cref="NotShown"/>, never converted.
/// </summary>
public sealed record VitalSigns(IReadOnlyList<HeartRateReading> HeartRate, IReadOnlyList<BloodPressureReading> BloodPressure, int NotShown)
{
    public const string Loinc = "http://loinc.org";
    public const string HeartRateCode = "8867-4";
    public const string BloodPressurePanelCode = "85354-9";
    public const string SystolicCode = "8480-6";
    public const string DiastolicCode = "8462-4";

    private static readonly string[] PerMinute = ["/min", "{beats}/min", "{beat}/min"];

    public bool IsEmpty => HeartRate.Count == 0 && BloodPressure.Count == 0;

    public static VitalSigns From(IEnumerable<Observation> observations)
    {
        var heartRate = new List<HeartRateReading>();
        var pressure = new List<BloodPressureReading>();
        var notShown = 0;
        foreach (var observation in observations)
        {
            if (observation.Status is ObservationStatus.EnteredInError or ObservationStatus.Cancelled)
            {
                continue;
            }

            var kind = HasLoinc(observation.Code, HeartRateCode) ? HeartRateCode
                : HasLoinc(observation.Code, BloodPressurePanelCode) ? BloodPressurePanelCode
                : HasLoinc(observation.Code, SystolicCode) || HasLoinc(observation.Code, DiastolicCode) ? SystolicCode
                : null;
            if (kind is null)
            {
                continue;
            }

            var at = ReadObservations.EffectiveAt(observation);
            if (at is not null && kind == HeartRateCode && Value(observation.Value, PerMinute) is { } bpm)
            {
                heartRate.Add(new HeartRateReading(at.Value, bpm));
            }
            else if (at is not null && kind == BloodPressurePanelCode
                     && Component(observation, SystolicCode) is { } systolic && Component(observation, DiastolicCode) is { } diastolic)
            {
                pressure.Add(new BloodPressureReading(at.Value, systolic, diastolic));
            }
            else
            {
                // A systolic or diastolic reading on its own, another unit, no value or no time: not charted.
                notShown++;
            }
        }

        return new VitalSigns(heartRate.OrderBy(r => r.At).ToList(), pressure.OrderBy(r => r.At).ToList(), notShown);
    }

    private static bool HasLoinc(CodeableConcept? code, string value) =>
        code?.Coding.Any(c => c.System == Loinc && c.Code == value) == true;

    private static decimal? Component(Observation observation, string code) =>
        observation.Component.FirstOrDefault(c => HasLoinc(c.Code, code)) is { } component
            ? Value(component.Value, ["mm[Hg]"])
            : null;

    private static decimal? Value(DataType? value, string[] units) =>
        value is Quantity { Value: { } number, Code: { } unit } && units.Contains(unit, StringComparer.Ordinal) ? number : null;
}
