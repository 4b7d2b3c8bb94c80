using System.Globalization;
using System.Text;

namespace EhrShare.Core.Common;

/// <summary>
/// Cleans text that users type and other users see (file names, titles, notes, display names, area names): no
/// Unicode format characters (category Cf: bidi overrides, embeddings and isolates, zero-width spaces and joiners, the
/// BOM), no control characters, no line or paragraph separators, no unpaired surrogates. A right-to-left override
/// in <c>invoice\u202Efdp.exe</c> would otherwise show it as <c>invoiceexe.pdf</c>.
/// </summary>
public static class UserText
{
    /// <summary>One line: everything above removed (line breaks and tabs included), then trimmed; "" for null.</summary>
    public static string CleanLine(string? text) => Clean(text, keepLineBreaks: false);

    /// <summary>Several lines (notes): as <see cref="CleanLine"/>, but line breaks are kept, as <c>\n</c>.</summary>
    public static string CleanLines(string? text) => Clean(text?.ReplaceLineEndings("\n"), keepLineBreaks: true);

    private static string Clean(string? text, bool keepLineBreaks)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var kept = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                i += Math.Max(used, 1); // an unpaired surrogate: dropped
                continue;
            }

            i += used;
            if ((keepLineBreaks && rune.Value == '\n') || !IsHidden(rune))
            {
                kept.Append(rune.ToString());
            }
        }

        return kept.ToString().Trim();
    }

    private static bool IsHidden(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Control
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
}
