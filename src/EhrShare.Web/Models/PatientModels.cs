using System.ComponentModel.DataAnnotations;
using EhrShare.Core.Access;
using EhrShare.Core.Records;
using EhrShare.Core.Users;

namespace EhrShare.Web.Models;

public sealed record PatientDashboardModel(string Name, PatientAddress Address, IReadOnlyList<RecordSummary> Records, long MaxUploadBytes, int PendingRequests);

public sealed record RemoveRecordModel(RecordSummary Record);

public sealed record PatientAccessModel(IReadOnlyList<PatientAccessEntry> Entries, IReadOnlyList<EmergencyNotice> Emergencies);

public sealed record EmergencyNotice(string DoctorName, string Reason, DateTimeOffset DeclaredAt);

public sealed class GrantModel
{
    [Required]
    public string DoctorId { get; set; } = "";

    [Range(1, 365, ErrorMessage = "Choose between 1 and 365 days.")]
    [Display(Name = "Access for (days)")]
    public int Days { get; set; } = 30;
}

public static class Formatting
{
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };

    public static string Kind(string contentType) => contentType switch
    {
        "application/pdf" => "PDF",
        "image/png" => "PNG image",
        "image/jpeg" => "JPEG image",
        "image/gif" => "GIF image",
        "image/webp" => "WebP image",
        "text/plain" => "Text",
        "text/csv" => "CSV",
        "application/fhir+json" => "FHIR JSON",
        "application/json" => "JSON",
        _ => contentType,
    };

    public static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "–";
}
