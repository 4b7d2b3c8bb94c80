using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Content;
using EhrShare.Core.Users;

namespace EhrShare.Web.Models;

public sealed record PatientDashboardModel(string Name, PatientAddress Address, IReadOnlyList<RecordSummary> Records, UploadRules Upload, int PendingRequests)
{
    /// <summary>Emergencies declared on the patient's records lately: shown in red where the patient lands, too.</summary>
    public IReadOnlyList<EmergencyNotice> Emergencies { get; init; } = [];

    public long MaxUploadBytes => Upload.MaxBytes;
}

/// <summary>
/// What the upload page's script checks before it sends a byte, with the server's own messages: the types the server
/// accepts (by declared type, then by extension, as <see cref="RecordFiles.ResolveType"/>) and the size limits.
/// </summary>
public sealed record UploadRules(long MaxBytes, long MaxJsonBytes, IReadOnlyList<RecordType> Types)
{
    public static UploadRules From(RecordOptions options) => new(
        options.MaxUploadBytes,
        options.MaxJsonBytes,
        [.. RecordTypes.All.Where(t => options.AllowedContentTypes.Contains(t.ContentType, StringComparer.OrdinalIgnoreCase))]);

    /// <summary>The file input's <c>accept</c>: extensions and types.</summary>
    public string Accept => string.Join(",", Types.Where(t => t.Rule != ContentRule.FhirJson).SelectMany(t => t.Extensions)
        .Concat(Types.Select(t => t.ContentType)).Distinct());

    /// <summary>For the script (data-rules).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        maxBytes = MaxBytes,
        maxJsonBytes = MaxJsonBytes,
        types = Types.Select(t => t.ContentType),
        jsonTypes = Types.Where(t => t.Rule is ContentRule.Json or ContentRule.FhirJson).Select(t => t.ContentType),
        extensions = Types.Where(t => t.Rule != ContentRule.FhirJson).SelectMany(t => t.Extensions.Select(e => (e, t.ContentType)))
            .ToDictionary(p => p.e, p => p.ContentType),
        messages = new
        {
            type = RecordFiles.TypeNotAccepted,
            tooLarge = RecordFiles.TooLarge(MaxBytes),
            tooLargeJson = RecordFiles.TooLargeForJson(MaxJsonBytes),
        },
    });
}

public sealed record RemoveRecordModel(RecordSummary Record);

/// <summary>A record shown in the app's page: where its inline view and its download are, and the page to go back to.</summary>
public sealed record RecordViewerModel(RecordSummary Record, string ViewUrl, string DownloadUrl, string BackUrl, string BackLabel)
{
    public bool IsImage => Record.ContentType.StartsWith("image/", StringComparison.Ordinal);

    public bool IsViewable => RecordFiles.IsViewableInline(Record.ContentType);
}

public sealed record PatientAccessModel(IReadOnlyList<PatientAccessEntry> Entries, IReadOnlyList<EmergencyNotice> Emergencies);

public sealed record EmergencyNotice(string DoctorName, string Reason, DateTimeOffset DeclaredAt);

/// <summary>A grant (or an extension of one) for a number of hours or days; <see cref="GrantDuration"/> checks the pair.</summary>
public sealed class GrantModel
{
    [Required]
    public string DoctorId { get; set; } = "";

    public int? Duration { get; set; }

    public GrantUnit? Unit { get; set; }

    /// <summary>The form's earlier field (a number of days), still accepted when <see cref="Duration"/> is not sent.</summary>
    public int? Days { get; set; }

    public (int? Amount, GrantUnit? Unit) Length => Duration is null && Unit is null && Days is not null ? (Days, GrantUnit.Days) : (Duration, Unit);
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

    /// <summary>
    /// A time for the page: UTC as written by the server (for readers without scripts), which js/time.js shows in the
    /// browser's time zone, with UTC on hover; <paramref name="relative"/> times within a week read "2 h ago" or
    /// "in 3 days" instead, the full time on hover.
    /// </summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent Time(DateTimeOffset? at, bool relative = false)
    {
        if (at is not { } t)
        {
            return new Microsoft.AspNetCore.Html.HtmlString("–");
        }

        var utc = When(t);
        var iso = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return new Microsoft.AspNetCore.Html.HtmlString(
            $"<time datetime=\"{iso}\" title=\"{utc}\" data-local=\"{(relative ? "relative" : "absolute")}\">{utc}</time>");
    }
}

/// <summary>The length fields of a grant or an extension form: <see cref="Id"/> ties the label to the number box.</summary>
public sealed record GrantLengthField(string Id, string Label, int Value);
