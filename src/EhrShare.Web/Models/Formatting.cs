namespace EhrShare.Web.Models;

/// <summary>Sizes, kinds of content and times as the pages show them.</summary>
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

    /// <summary>"your records", "1 chosen record", "3 chosen records": what a grant covers, in a message.</summary>
    public static string SharedRecords(int? chosen) => chosen switch
    {
        null => "your records",
        1 => "1 chosen record",
        _ => $"{chosen} chosen records",
    };
}

/// <summary>The length fields of a grant or an extension form: <see cref="Id"/> ties the label to the number box.</summary>
public sealed record GrantLengthField(string Id, string Label, int Value);

/// <summary>
/// The records fields of a grant form: every record, or the ticked ones (<see cref="Selected"/> ticked at first; null:
/// every record chosen). <see cref="Id"/> keeps each form's ids apart.
/// </summary>
public sealed record GrantRecordsField(string Id, IReadOnlyList<EhrShare.Core.Records.RecordSummary> Records, IReadOnlySet<Guid>? Selected);
