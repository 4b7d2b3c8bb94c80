namespace EhrShare.Core.Records.Content;

/// <summary>How a record's content is checked against its type.</summary>
public enum ContentRule
{
    /// <summary>A binary format: its first bytes must be the format's signature.</summary>
    Signature,

    /// <summary>UTF-8 text without NUL (plain text, CSV).</summary>
    Text,

    /// <summary>One JSON value (System.Text.Json), up to <see cref="RecordOptions.MaxJsonBytes"/>.</summary>
    Json,

    /// <summary>JSON that is one FHIR R4 resource (Hl7.Fhir.R4), up to <see cref="RecordOptions.MaxJsonBytes"/>.</summary>
    FhirJson,
}

/// <summary>A type a record may have: how it is named to users, its file extensions and how its content is checked.</summary>
/// <param name="ContentType">The media type, lower case.</param>
/// <param name="Name">As in "The file is not {Name}": "a PDF", "a PNG image", "text".</param>
/// <param name="Rule">How its content is checked.</param>
/// <param name="Extensions">The first is given to a stored file whose name has none of them.</param>
public sealed record RecordType(string ContentType, string Name, ContentRule Rule, params string[] Extensions)
{
    public string Extension => Extensions[0];
}

/// <summary>Every type a record can have (which of them are allowed is <see cref="RecordOptions.AllowedContentTypes"/>).</summary>
public static class RecordTypes
{
    public static readonly RecordType Pdf = new("application/pdf", "a PDF", ContentRule.Signature, ".pdf");
    public static readonly RecordType Png = new("image/png", "a PNG image", ContentRule.Signature, ".png");
    public static readonly RecordType Jpeg = new("image/jpeg", "a JPEG image", ContentRule.Signature, ".jpg", ".jpeg");
    public static readonly RecordType Gif = new("image/gif", "a GIF image", ContentRule.Signature, ".gif");
    public static readonly RecordType WebP = new("image/webp", "a WebP image", ContentRule.Signature, ".webp");
    public static readonly RecordType Text = new("text/plain", "text", ContentRule.Text, ".txt");
    public static readonly RecordType Csv = new("text/csv", "CSV text", ContentRule.Text, ".csv");
    public static readonly RecordType Json = new("application/json", "JSON", ContentRule.Json, ".json");
    public static readonly RecordType FhirJson = new("application/fhir+json", "a FHIR resource", ContentRule.FhirJson, ".json");

    public static IReadOnlyList<RecordType> All { get; } = [Pdf, Png, Jpeg, Gif, WebP, Text, Csv, Json, FhirJson];

    /// <summary>The type of a media type (parameters ignored), or null when it is none of <see cref="All"/>.</summary>
    public static RecordType? ByContentType(string? contentType)
    {
        var type = (contentType ?? "").Split(';')[0].Trim();
        return All.FirstOrDefault(t => t.ContentType.Equals(type, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The type a file extension implies (".json" is plain JSON), or null.</summary>
    public static RecordType? ByExtension(string? extension) =>
        All.FirstOrDefault(t => t.Rule != ContentRule.FhirJson && t.Extensions.Contains(extension ?? "", StringComparer.OrdinalIgnoreCase));
}
