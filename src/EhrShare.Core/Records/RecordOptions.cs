using System.ComponentModel.DataAnnotations;

namespace EhrShare.Core.Records;

/// <summary>Records (section <c>Records</c>).</summary>
public sealed class RecordOptions
{
    public const string Section = "Records";

    /// <summary>Largest record a patient may upload, in bytes (env <c>Records__MaxUploadBytes</c>; default 100 MiB).</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Records:MaxUploadBytes must be positive.")]
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// Largest JSON or FHIR JSON record, in bytes (env <c>Records__MaxJsonBytes</c>; default 10 MiB): FHIR JSON is held
    /// in memory up to this size to be parsed as a resource once it is complete.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Records:MaxJsonBytes must be positive (and under 2 GiB).")]
    public long MaxJsonBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>
    /// How long an upload in progress holds its record before the reconciler may finish or roll it back
    /// (env <c>Records__UploadLease</c>). Longer than the slowest upload you expect.
    /// </summary>
    public TimeSpan UploadLease { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the reconciler looks for records left pending, rolling back or being removed.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Content types a record may have: PDF, images, text and FHIR/JSON by default.</summary>
    public List<string> AllowedContentTypes { get; set; } =
    [
        "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv",
        "application/json", "application/fhir+json",
    ];
}
