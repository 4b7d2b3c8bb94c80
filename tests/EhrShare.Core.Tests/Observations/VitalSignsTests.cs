using EhrShare.Core.Observations;
using Hl7.Fhir.Model;

namespace EhrShare.Core.Tests.Observations;

public class VitalSignsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void From_HeartRatesAndPanels_ChartsThemOldestFirst()
    {
        var vitals = VitalSigns.From(
        [
            HeartRate(T0.AddHours(2), 80),
            Panel(T0.AddHours(1), 130, 85),
            HeartRate(T0, 64),
            Panel(T0.AddHours(3), 118, 76),
        ]);

        Assert.Equal([new HeartRateReading(T0, 64), new HeartRateReading(T0.AddHours(2), 80)], vitals.HeartRate);
        Assert.Equal([new BloodPressureReading(T0.AddHours(1), 130, 85), new BloodPressureReading(T0.AddHours(3), 118, 76)], vitals.BloodPressure);
        Assert.Equal(0, vitals.NotShown);
        Assert.False(vitals.IsEmpty);
    }

    [Fact]
    public void From_OtherUnitsAndLoneComponents_AreCountedAsNotShown_NeverConverted()
    {
        var inKilopascal = Panel(T0, 130, 85);
        ((Quantity)inKilopascal.Component[0].Value!).Code = "kPa";
        var noValue = HeartRate(T0, 70);
        noValue.Value = null;
        noValue.DataAbsentReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "error");
        var loneSystolic = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(VitalSigns.Loinc, VitalSigns.SystolicCode),
            Effective = new FhirDateTime(T0),
            Value = new Quantity(120, "mmHg", "http://unitsofmeasure.org") { Code = "mm[Hg]" },
        };
        var perSecond = HeartRate(T0, 1.2m);
        ((Quantity)perSecond.Value!).Code = "/s";

        var vitals = VitalSigns.From([inKilopascal, noValue, loneSystolic, perSecond]);

        Assert.True(vitals.IsEmpty);
        Assert.Equal(4, vitals.NotShown);
    }

    [Fact]
    public void From_EnteredInErrorAndOtherCodes_AreLeftOut()
    {
        var wrong = HeartRate(T0, 200);
        wrong.Status = ObservationStatus.EnteredInError;
        var weight = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(VitalSigns.Loinc, "29463-7"),
            Effective = new FhirDateTime(T0),
            Value = new Quantity(70, "kg", "http://unitsofmeasure.org") { Code = "kg" },
        };
        var periodStart = HeartRate(T0, 66);
        periodStart.Effective = new Period(new FhirDateTime(T0.AddMinutes(5)), new FhirDateTime(T0.AddMinutes(6)));

        var vitals = VitalSigns.From([wrong, weight, periodStart]);

        Assert.Equal([new HeartRateReading(T0.AddMinutes(5), 66)], vitals.HeartRate);
        Assert.Empty(vitals.BloodPressure);
        Assert.Equal(0, vitals.NotShown);
    }

    private static Observation HeartRate(DateTimeOffset at, decimal bpm) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(VitalSigns.Loinc, VitalSigns.HeartRateCode),
        Effective = new FhirDateTime(at),
        Value = new Quantity(bpm, "beats/minute", "http://unitsofmeasure.org") { Code = "/min" },
    };

    private static Observation Panel(DateTimeOffset at, decimal systolic, decimal diastolic) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(VitalSigns.Loinc, VitalSigns.BloodPressurePanelCode),
        Effective = new FhirDateTime(at),
        Component =
        [
            new Observation.ComponentComponent { Code = new CodeableConcept(VitalSigns.Loinc, VitalSigns.SystolicCode), Value = new Quantity(systolic, "mmHg", "http://unitsofmeasure.org") { Code = "mm[Hg]" } },
            new Observation.ComponentComponent { Code = new CodeableConcept(VitalSigns.Loinc, VitalSigns.DiastolicCode), Value = new Quantity(diastolic, "mmHg", "http://unitsofmeasure.org") { Code = "mm[Hg]" } },
        ],
    };
}
