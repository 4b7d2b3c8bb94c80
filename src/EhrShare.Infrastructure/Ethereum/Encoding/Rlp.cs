using System.Numerics;

namespace EhrShare.Infrastructure.Ethereum.Encoding;

/// <summary>
/// Recursive Length Prefix (yellow paper, appendix B). Items are byte strings or lists; integers are big-endian with
/// no leading zeros (zero is the empty string). Decoding is strict: only the canonical encoding is accepted.
/// </summary>
public static class Rlp
{
    public static byte[] EncodeBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < 0x80)
        {
            return [value[0]];
        }

        var prefix = Prefix(0x80, value.Length);
        var result = new byte[prefix.Length + value.Length];
        prefix.CopyTo(result, 0);
        value.CopyTo(result.AsSpan(prefix.Length));
        return result;
    }

    public static byte[] EncodeUInt(ulong value) => EncodeBytes(MinimalBigEndian(value));

    public static byte[] EncodeUInt(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are unsigned.");
        }

        return EncodeBytes(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>A list of already encoded items.</summary>
    public static byte[] EncodeList(params ReadOnlySpan<byte[]> encodedItems)
    {
        var length = 0;
        foreach (var item in encodedItems)
        {
            length += item.Length;
        }

        var prefix = Prefix(0xc0, length);
        var result = new byte[prefix.Length + length];
        prefix.CopyTo(result, 0);
        var offset = prefix.Length;
        foreach (var item in encodedItems)
        {
            item.CopyTo(result, offset);
            offset += item.Length;
        }

        return result;
    }

    /// <summary>Decodes one item that must span the whole input.</summary>
    public static RlpItem Decode(ReadOnlySpan<byte> encoded)
    {
        var item = DecodeItem(encoded, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new FormatException($"RLP: {encoded.Length - consumed} trailing bytes after the item.");
        }

        return item;
    }

    internal static byte[] MinimalBigEndian(ulong value)
    {
        if (value == 0)
        {
            return [];
        }

        var bytes = new byte[8 - (BitOperations.LeadingZeroCount(value) / 8)];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        return bytes;
    }

    private static byte[] Prefix(byte offset, int length)
    {
        if (length < 56)
        {
            return [(byte)(offset + length)];
        }

        var lengthBytes = MinimalBigEndian((ulong)length);
        var prefix = new byte[1 + lengthBytes.Length];
        prefix[0] = (byte)(offset + 55 + lengthBytes.Length);
        lengthBytes.CopyTo(prefix, 1);
        return prefix;
    }

    private static RlpItem DecodeItem(ReadOnlySpan<byte> input, out int consumed)
    {
        if (input.IsEmpty)
        {
            throw new FormatException("RLP: unexpected end of input.");
        }

        var b = input[0];
        if (b < 0x80)
        {
            consumed = 1;
            return RlpItem.FromBytes([b]);
        }

        var isList = b >= 0xc0;
        var shortBase = isList ? 0xc0 : 0x80;
        int headerLength, payloadLength;
        if (b - shortBase < 56)
        {
            headerLength = 1;
            payloadLength = b - shortBase;
        }
        else
        {
            var lengthOfLength = b - shortBase - 55;
            if (input.Length < 1 + lengthOfLength)
            {
                throw new FormatException("RLP: truncated length.");
            }

            var lengthBytes = input.Slice(1, lengthOfLength);
            if (lengthBytes[0] == 0 || lengthOfLength > 4)
            {
                throw new FormatException("RLP: non-canonical or oversized length.");
            }

            long length = 0;
            foreach (var lb in lengthBytes)
            {
                length = (length << 8) | lb;
            }

            if (length < 56 || length > int.MaxValue)
            {
                throw new FormatException("RLP: non-canonical length (a long form for a short payload).");
            }

            headerLength = 1 + lengthOfLength;
            payloadLength = (int)length;
        }

        if (input.Length - headerLength < payloadLength)
        {
            throw new FormatException("RLP: payload runs past the end of input.");
        }

        var payload = input.Slice(headerLength, payloadLength);
        consumed = headerLength + payloadLength;
        if (!isList)
        {
            if (payloadLength == 1 && payload[0] < 0x80)
            {
                throw new FormatException("RLP: a single byte below 0x80 must encode itself.");
            }

            return RlpItem.FromBytes(payload.ToArray());
        }

        var items = new List<RlpItem>();
        while (!payload.IsEmpty)
        {
            items.Add(DecodeItem(payload, out var used));
            payload = payload[used..];
        }

        return RlpItem.FromList(items);
    }
}

/// <summary>A decoded RLP item: a byte string or a list of items.</summary>
public sealed class RlpItem
{
    private readonly byte[]? _bytes;
    private readonly IReadOnlyList<RlpItem>? _items;

    private RlpItem(byte[]? bytes, IReadOnlyList<RlpItem>? items)
    {
        _bytes = bytes;
        _items = items;
    }

    public bool IsList => _items is not null;

    public byte[] Bytes => _bytes ?? throw new FormatException("RLP: expected a byte string, found a list.");

    public IReadOnlyList<RlpItem> Items => _items ?? throw new FormatException("RLP: expected a list, found a byte string.");

    public static RlpItem FromBytes(byte[] bytes) => new(bytes, null);

    public static RlpItem FromList(IReadOnlyList<RlpItem> items) => new(null, items);

    /// <summary>A canonical unsigned integer (no leading zero byte).</summary>
    public BigInteger ToBigInteger()
    {
        var bytes = Bytes;
        if (bytes.Length > 0 && bytes[0] == 0)
        {
            throw new FormatException("RLP: integer with a leading zero byte.");
        }

        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public ulong ToUInt64()
    {
        var value = ToBigInteger();
        return value <= ulong.MaxValue ? (ulong)value : throw new FormatException("RLP: integer exceeds 64 bits.");
    }
}
