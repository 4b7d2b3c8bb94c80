namespace EhrShare.Core.Records;

/// <summary>File names and types of uploaded records.</summary>
public static class RecordFiles
{
    private static readonly Dictionary<string, string> TypesByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = "application/pdf",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".txt"] = "text/plain",
        [".csv"] = "text/csv",
        [".json"] = "application/json",
    };

    /// <summary>
    /// The last path segment only, without control characters or characters that are unsafe in a download header,
    /// at most 255 characters; "record" when nothing is left.
    /// </summary>
    public static string SanitizeFileName(string? name)
    {
        var last = (name ?? "").Replace('\\', '/');
        last = last[(last.LastIndexOf('/') + 1)..];
        var cleaned = new string(last.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?')).ToArray()).Trim().Trim('.');
        if (cleaned.Length > 255)
        {
            var ext = Path.GetExtension(cleaned);
            cleaned = ext.Length is > 0 and <= 16 ? cleaned[..(255 - ext.Length)] + ext : cleaned[..255];
        }

        return cleaned.Length == 0 ? "record" : cleaned;
    }

    /// <summary>
    /// The record's content type: the declared one when it is allowed, else the one its extension implies when that
    /// is allowed (browsers often send <c>application/octet-stream</c>), else null.
    /// </summary>
    public static string? ResolveContentType(string? declared, string fileName, IReadOnlyCollection<string> allowed)
    {
        var type = (declared ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (type.Length > 0 && allowed.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            return type;
        }

        return TypesByExtension.TryGetValue(Path.GetExtension(fileName), out var byExtension) &&
               allowed.Contains(byExtension, StringComparer.OrdinalIgnoreCase)
            ? byExtension
            : null;
    }

    /// <summary>Types a browser may show inline safely (no active content: no HTML, no SVG).</summary>
    public static bool IsViewableInline(string contentType) =>
        contentType is "application/pdf" or "image/png" or "image/jpeg" or "image/gif" or "image/webp" or "text/plain"
            or "text/csv" or "application/json" or "application/fhir+json";
}
