using EhrShare.Core.Common;
using EhrShare.Core.Records.Content;

namespace EhrShare.Core.Records;

/// <summary>File names and types of uploaded records.</summary>
public static class RecordFiles
{
    /// <summary>The message for a type that is not accepted (the upload page's script shows the same).</summary>
    public const string TypeNotAccepted = "This type of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP), text, CSV or FHIR JSON.";

    /// <summary>"The file is larger than the limit of 100 MiB." (the upload page's script says the same).</summary>
    public static string TooLarge(long limit) => $"The file is larger than the limit of {DescribeSize(limit)}.";

    /// <summary>The limit of <see cref="RecordOptions.MaxJsonBytes"/>, in the same words.</summary>
    public static string TooLargeForJson(long limit) => $"The file is larger than the limit of {DescribeSize(limit)} for JSON and FHIR records.";

    public static string DescribeSize(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MiB"
        : $"{bytes / 1024.0:0.#} KiB";

    /// <summary>
    /// The last path segment only, without format or control characters (<see cref="UserText"/>) or characters that
    /// are unsafe in a download header, at most 255 characters; "record" when nothing is left.
    /// </summary>
    public static string SanitizeFileName(string? name)
    {
        var last = UserText.CleanLine(name).Replace('\\', '/');
        last = last[(last.LastIndexOf('/') + 1)..];
        var cleaned = new string(last.Where(c => c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?')).ToArray()).Trim().Trim('.');
        if (cleaned.Length > 255)
        {
            var ext = Path.GetExtension(cleaned);
            cleaned = ext.Length is > 0 and <= 16 ? cleaned[..(255 - ext.Length)] + ext : cleaned[..255];
        }

        return cleaned.Length == 0 ? "record" : cleaned;
    }

    /// <summary>
    /// The stored name: the user's stem with an extension of the record's type, so the name a download is saved
    /// under always matches what it is (<c>lab-results.pdf.exe</c> holding a PDF is kept as <c>lab-results.pdf</c>,
    /// <c>scan</c> as <c>scan.pdf</c>). An extension of the type is kept as the user wrote it (<c>.jpeg</c>).
    /// </summary>
    public static string NameFor(string sanitizedName, RecordType type)
    {
        if (type.Extensions.Contains(Path.GetExtension(sanitizedName), StringComparer.OrdinalIgnoreCase))
        {
            return sanitizedName;
        }

        var stem = Path.GetFileNameWithoutExtension(sanitizedName).TrimEnd('.', ' ');
        if (type.Extensions.Contains(Path.GetExtension(stem), StringComparer.OrdinalIgnoreCase))
        {
            return stem;
        }

        stem = stem.Length == 0 ? "record" : stem;
        return (stem.Length + type.Extension.Length > 255 ? stem[..(255 - type.Extension.Length)] : stem) + type.Extension;
    }

    /// <summary>
    /// The record's type: the declared one when it is allowed, else the one its extension implies when that is
    /// allowed (browsers often send <c>application/octet-stream</c>), else null.
    /// </summary>
    public static RecordType? ResolveType(string? declared, string fileName, IReadOnlyCollection<string> allowed)
    {
        bool Allowed(RecordType? t) => t is not null && allowed.Contains(t.ContentType, StringComparer.OrdinalIgnoreCase);
        var byDeclared = RecordTypes.ByContentType(declared);
        if (Allowed(byDeclared))
        {
            return byDeclared;
        }

        var byExtension = RecordTypes.ByExtension(Path.GetExtension(fileName));
        return Allowed(byExtension) ? byExtension : null;
    }

    /// <summary>Types a browser may show inline safely (no active content: no HTML, no SVG).</summary>
    public static bool IsViewableInline(string contentType) =>
        contentType is "application/pdf" or "image/png" or "image/jpeg" or "image/gif" or "image/webp" or "text/plain"
            or "text/csv" or "application/json" or "application/fhir+json";
}
