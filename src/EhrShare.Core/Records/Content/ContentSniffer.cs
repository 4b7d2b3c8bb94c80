using System.Text;

namespace EhrShare.Core.Records.Content;

/// <summary>What a file's first bytes say it is.</summary>
/// <param name="Description">As in "its content is {Description}": "a Windows program", "an HTML page".</param>
/// <param name="IsText">Whether it is text (an HTML page is; a program is not).</param>
public sealed record SniffedKind(string Description, bool IsText);

/// <summary>
/// Recognises content from its first bytes (magic numbers): the types a record may have, and the common kinds it
/// must not be disguised as, to say what a refused file really is. Pure and allocation-light; reads at most
/// <see cref="HeadLength"/> bytes.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many first bytes are enough for every signature and description here.</summary>
    public const int HeadLength = 512;

    private static readonly (byte[] Magic, int Offset, SniffedKind Kind)[] Signatures =
    [
        (Bytes("%PDF-"), 0, new("a PDF", false)),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], 0, new("a PNG image", false)),
        ([0xFF, 0xD8, 0xFF], 0, new("a JPEG image", false)),
        (Bytes("GIF87a"), 0, new("a GIF image", false)),
        (Bytes("GIF89a"), 0, new("a GIF image", false)),
        (Bytes("MZ"), 0, new("a Windows program", false)),
        ([0x7F, 0x45, 0x4C, 0x46], 0, new("a Linux program", false)),
        ([0xFE, 0xED, 0xFA, 0xCE], 0, new("a macOS program", false)),
        ([0xFE, 0xED, 0xFA, 0xCF], 0, new("a macOS program", false)),
        ([0xCE, 0xFA, 0xED, 0xFE], 0, new("a macOS program", false)),
        ([0xCF, 0xFA, 0xED, 0xFE], 0, new("a macOS program", false)),
        ([0xCA, 0xFE, 0xBA, 0xBE], 0, new("a program", false)),
        ([0x00, 0x61, 0x73, 0x6D], 0, new("a WebAssembly program", false)),
        ([0x50, 0x4B, 0x03, 0x04], 0, new("a ZIP archive (or an Office document)", false)),
        ([0x50, 0x4B, 0x05, 0x06], 0, new("a ZIP archive", false)),
        (Bytes("Rar!\u001A\u0007"), 0, new("a RAR archive", false)),
        ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], 0, new("a 7-Zip archive", false)),
        ([0x1F, 0x8B], 0, new("a gzip archive", false)),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], 0, new("an Office document", false)),
        ([0x49, 0x49, 0x2A, 0x00], 0, new("a TIFF image", false)),
        ([0x4D, 0x4D, 0x00, 0x2A], 0, new("a TIFF image", false)),
        (Bytes("ftypheic"), 4, new("a HEIC image", false)),
        (Bytes("ftypheix"), 4, new("a HEIC image", false)),
        (Bytes("ftypmif1"), 4, new("a HEIC image", false)),
        (Bytes("ftyp"), 4, new("a video", false)),
        ([0xFF, 0xFE], 0, new("UTF-16 text", false)),
        ([0xFE, 0xFF], 0, new("UTF-16 text", false)),
        (Bytes("{\\rtf"), 0, new("an RTF document", true)),
        (Bytes("%!PS"), 0, new("a PostScript document", true)),
        (Bytes("#!"), 0, new("a script", true)),
    ];

    private static readonly SniffedKind WebP = new("a WebP image", false);
    private static readonly SniffedKind Html = new("an HTML page", true);
    private static readonly SniffedKind Svg = new("an SVG image", true);
    private static readonly SniffedKind Xml = new("an XML document", true);

    private static readonly string[] HtmlStarts = ["<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<meta", "<title", "<div", "<a ", "<img", "<style"];

    /// <summary>What the content is, from its first bytes, or null when they are none of the kinds known here.</summary>
    public static SniffedKind? Identify(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        foreach (var (magic, offset, kind) in Signatures)
        {
            if (head.Length >= offset + magic.Length && head.Slice(offset, magic.Length).SequenceEqual(magic))
            {
                return kind;
            }
        }

        return IdentifyMarkup(head);
    }

    /// <summary>Whether the first bytes are the signature of <paramref name="type"/> (for the signature types only).</summary>
    public static bool HasSignatureOf(RecordType type, ReadOnlySpan<byte> head) =>
        type.Rule == ContentRule.Signature && Identify(head)?.Description == type.Name;

    private static SniffedKind? IdentifyMarkup(ReadOnlySpan<byte> head)
    {
        var start = head.StartsWith("\uFEFF"u8) ? head[3..] : head;
        var text = Encoding.UTF8.GetString(start).TrimStart().ToLowerInvariant();
        if (!text.StartsWith('<'))
        {
            return null;
        }

        if (text.StartsWith("<svg", StringComparison.Ordinal) || (text.StartsWith("<?xml", StringComparison.Ordinal) && text.Contains("<svg", StringComparison.Ordinal)))
        {
            return Svg;
        }

        if (HtmlStarts.Any(s => text.StartsWith(s, StringComparison.Ordinal)) ||
            (text.StartsWith("<!--", StringComparison.Ordinal) && text.Contains("<html", StringComparison.Ordinal)))
        {
            return Html;
        }

        return text.StartsWith("<?xml", StringComparison.Ordinal) ? Xml : null;
    }

    private static byte[] Bytes(string ascii) => Encoding.Latin1.GetBytes(ascii);
}
