using System.Security.Cryptography;
using System.Text;

namespace EhrShare.Testing;

/// <summary>
/// Files whose content is what their type says (the app checks every upload's content against its type): a
/// format's signature followed by random bytes, so no two are alike; and a few that lie about what they are.
/// </summary>
public static class SampleFiles
{
    public static ReadOnlySpan<byte> PdfSignature => "%PDF-1.7\n"u8;

    /// <summary>A PDF of exactly <paramref name="length"/> bytes (at least 5: "%PDF-").</summary>
    public static byte[] Pdf(int length) => WithSignature(PdfSignature, length, minimum: 5);

    public static byte[] Png(int length) => WithSignature([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], length);

    public static byte[] Jpeg(int length) => WithSignature([0xFF, 0xD8, 0xFF, 0xE0], length);

    public static byte[] Gif(int length) => WithSignature("GIF89a"u8, length);

    public static byte[] WebP(int length)
    {
        var file = WithSignature("RIFF\0\0\0\0WEBPVP8 "u8, length);
        BitConverter.TryWriteBytes(file.AsSpan(4, 4), length - 8); // little-endian, as RIFF wants
        return file;
    }

    /// <summary>The start of a Windows program ("MZ" and its DOS header), then random bytes.</summary>
    public static byte[] WindowsProgram(int length) => WithSignature([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00], length);

    /// <summary>UTF-8 text of about <paramref name="length"/> bytes (lines of readable characters, accents included).</summary>
    public static byte[] Text(int length)
    {
        var text = new StringBuilder(length);
        while (Encoding.UTF8.GetByteCount(text.ToString()) < length)
        {
            text.Append("Haemoglobin 14.1 g/dL – résultat normal; ").Append(Convert.ToBase64String(RandomNumberGenerator.GetBytes(30))).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A FHIR R4 Observation (valid for the Firely SDK's strict deserializer).</summary>
    public static byte[] FhirObservation() => """
        {
          "resourceType": "Observation",
          "id": "hb-1",
          "status": "final",
          "code": { "coding": [ { "system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin [Mass/volume] in Blood" } ] },
          "subject": { "reference": "Patient/example" },
          "effectiveDateTime": "2025-03-14T09:30:00Z",
          "valueQuantity": { "value": 14.1, "unit": "g/dL", "system": "http://unitsofmeasure.org", "code": "g/dL" }
        }
        """u8.ToArray();

    /// <summary>A file of the type, for tests that go through every accepted type.</summary>
    public static byte[] For(string contentType, int length) => contentType switch
    {
        "application/pdf" => Pdf(length),
        "image/png" => Png(length),
        "image/jpeg" => Jpeg(length),
        "image/gif" => Gif(length),
        "image/webp" => WebP(length),
        "text/plain" or "text/csv" => Text(length),
        "application/json" or "application/fhir+json" => FhirObservation(),
        _ => throw new ArgumentException($"No sample for {contentType}", nameof(contentType)),
    };

    private static byte[] WithSignature(ReadOnlySpan<byte> signature, int length, int? minimum = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, minimum ?? signature.Length);
        var file = RandomNumberGenerator.GetBytes(length);
        signature[..Math.Min(signature.Length, length)].CopyTo(file);
        return file;
    }
}
