using System.Globalization;
using System.Numerics;

namespace EhrShare.Infrastructure.Ethereum.Encoding;

/// <summary>
/// Hex as JSON-RPC writes it: data is <c>0x</c> followed by two digits per byte; quantities are <c>0x</c> followed by
/// the shortest digits (<c>0x0</c> for zero).
/// </summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true) =>
        prefix ? "0x" + Convert.ToHexStringLower(bytes) : Convert.ToHexStringLower(bytes);

    /// <summary>Decodes data (an even number of digits, with or without <c>0x</c>).</summary>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = Strip(hex);
        if (digits.Length % 2 != 0)
        {
            throw new FormatException($"Hex data must have an even number of digits: '{Shorten(hex)}'.");
        }

        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw new FormatException($"Not hex data: '{Shorten(hex)}'.");
        }
    }

    public static bool IsHex(string value, int byteLength)
    {
        var digits = Strip(value);
        if (digits.Length != byteLength * 2)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static string EncodeQuantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static string EncodeQuantity(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Quantities are unsigned.");
        }

        if (value.IsZero)
        {
            return "0x0";
        }

        var digits = Convert.ToHexStringLower(value.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0');
        return "0x" + digits;
    }

    public static ulong DecodeQuantityUInt64(string hex)
    {
        var digits = Strip(hex);
        if (digits.Length is 0 or > 16 ||
            !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"Not a 64-bit hex quantity: '{Shorten(hex)}'.");
        }

        return value;
    }

    public static BigInteger DecodeQuantity(string hex)
    {
        var digits = Strip(hex);
        if (digits.Length == 0)
        {
            throw new FormatException("Empty hex quantity.");
        }

        // A leading 0 keeps BigInteger's hex parser from reading the top bit as a sign.
        if (!BigInteger.TryParse(string.Concat("0", digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"Not a hex quantity: '{Shorten(hex)}'.");
        }

        return value;
    }

    private static ReadOnlySpan<char> Strip(string hex) =>
        hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
