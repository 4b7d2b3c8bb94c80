using System.ComponentModel.DataAnnotations;
using EhrShare.Core.Access;
using EhrShare.Core.People;
using EhrShare.Core.Records;

namespace EhrShare.Web.Models;

public sealed class RequestAccessModel
{
    [Required(ErrorMessage = "Enter the patient's address, like 3-127.")]
    [Display(Name = "Patient address (AID-PID)")]
    public string PatientAddress { get; set; } = "";
}

public sealed class EmergencyModel
{
    [Required(ErrorMessage = "Enter the patient's address, like 3-127.")]
    [Display(Name = "Patient address (AID-PID)")]
    public string PatientAddress { get; set; } = "";

    [Required(ErrorMessage = "Describe the emergency.")]
    [StringLength(500, MinimumLength = 10, ErrorMessage = "Describe the emergency in 10 to 500 characters.")]
    [Display(Name = "Reason")]
    public string Reason { get; set; } = "";
}

public sealed record DoctorDashboardModel(
    IReadOnlyList<DoctorAccessEntry> Patients,
    RequestAccessModel Request,
    EmergencyModel Emergency,
    string? ChainError,
    EhrShare.Core.Chain.LedgerEmergencyAllowance? EmergencyAllowance = null);

/// <summary>A patient's records as the doctor sees them; <see cref="Window"/> says until when (null if the chain could not say).</summary>
public sealed record DoctorPatientModel(PatientSummary Patient, IReadOnlyList<RecordSummary> Records, DoctorAccessWindow? Window = null)
{
    /// <summary>The search and category the list is narrowed to (none: every record).</summary>
    public RecordListFilter Filter { get; init; } = RecordListFilter.From(null, null);

    /// <summary>The patient shared chosen records: <see cref="Records"/> holds only those.</summary>
    public bool ChosenOnly { get; init; }
}
