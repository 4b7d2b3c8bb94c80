using System.Collections;
using System.Globalization;
using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Crypto;

namespace EhrShare.Infrastructure.Ethereum.Abi;

/// <summary>
/// A Solidity ABI type (the contract ABI specification): <c>address</c>, <c>bool</c>, <c>uintN</c>, <c>intN</c>,
/// <c>bytesN</c>, <c>bytes</c>, <c>string</c>, <c>T[]</c>, <c>T[k]</c> and tuples <c>(T1,T2,…)</c>.
/// .NET values: address ↔ <see cref="EthAddress"/>; bool ↔ bool; integers ↔ <see cref="BigInteger"/> (any .NET
/// integer is accepted when encoding); bytesN and bytes ↔ byte[]; string ↔ string; arrays and tuples ↔ object?[].
/// </summary>
public abstract class AbiType
{
    /// <summary>The canonical name used in signatures, e.g. <c>uint256</c>, <c>(address,bytes16)[]</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Dynamic types are encoded in the tail behind an offset.</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Bytes taken in the head: 32 for dynamic types, the full encoding for static ones.</summary>
    public abstract int HeadSize { get; }

    public override string ToString() => Name;

    public static AbiType Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = type.Trim();
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            if (open < 0)
            {
                throw new FormatException($"ABI type '{type}': unbalanced brackets.");
            }

            var element = Parse(type[..open]);
            var size = type[(open + 1)..^1];
            if (size.Length == 0)
            {
                return new AbiArrayType(element, null);
            }

            return int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0
                ? new AbiArrayType(element, length)
                : throw new FormatException($"ABI type '{type}': bad array length.");
        }

        if (type.StartsWith('('))
        {
            if (!type.EndsWith(')'))
            {
                throw new FormatException($"ABI type '{type}': unbalanced parentheses.");
            }

            return new AbiTupleType(SplitTopLevel(type[1..^1]).Select(Parse).ToArray());
        }

        switch (type)
        {
            case "address":
                return AbiAddressType.Instance;
            case "bool":
                return AbiBoolType.Instance;
            case "bytes":
                return AbiBytesType.Bytes;
            case "string":
                return AbiBytesType.String;
            case "uint":
                return new AbiIntegerType(256, false);
            case "int":
                return new AbiIntegerType(256, true);
        }

        if (type.StartsWith("uint", StringComparison.Ordinal) && TryBits(type[4..], out var ubits))
        {
            return new AbiIntegerType(ubits, false);
        }

        if (type.StartsWith("int", StringComparison.Ordinal) && TryBits(type[3..], out var ibits))
        {
            return new AbiIntegerType(ibits, true);
        }

        if (type.StartsWith("bytes", StringComparison.Ordinal) &&
            int.TryParse(type[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 32)
        {
            return new AbiFixedBytesType(n);
        }

        throw new FormatException($"Unsupported ABI type '{type}'.");
    }

    /// <summary>Writes the encoding of <paramref name="value"/> (head for static types, the tail body for dynamic ones).</summary>
    internal abstract void Encode(object? value, AbiWriter writer);

    /// <summary>Reads a value; <paramref name="offset"/> is where its head (static) or body (dynamic) starts.</summary>
    internal abstract object? Decode(ReadOnlySpan<byte> data, int offset);

    internal static IEnumerable<string> SplitTopLevel(string list)
    {
        if (list.Length == 0)
        {
            yield break;
        }

        var depth = 0;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            switch (list[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return list[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return list[start..];
    }

    private static bool TryBits(string s, out int bits) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out bits) && bits is >= 8 and <= 256 && bits % 8 == 0;

    private protected static AbiException Mismatch(AbiType type, object? value) =>
        new($"Cannot encode {(value is null ? "null" : value.GetType().Name)} as ABI {type.Name}.");
}

/// <summary>Encoding or decoding failed: a value does not fit its type, or the data is malformed.</summary>
public sealed class AbiException : FormatException
{
    public AbiException(string message)
        : base(message)
    {
    }

    public AbiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AbiException()
    {
    }
}

public sealed class AbiAddressType : AbiType
{
    public static readonly AbiAddressType Instance = new();

    public override string Name => "address";

    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    internal override void Encode(object? value, AbiWriter writer)
    {
        var address = value switch
        {
            EthAddress a => a,
            string s => EthAddress.Parse(s),
            _ => throw Mismatch(this, value),
        };
        Span<byte> word = stackalloc byte[32];
        word.Clear();
        address.WriteTo(word[12..]);
        writer.Write(word);
    }

    internal override object Decode(ReadOnlySpan<byte> data, int offset)
    {
        var word = AbiReader.Word(data, offset);
        if (word[..12].ContainsAnyExcept((byte)0))
        {
            throw new AbiException("ABI address with non-zero high bytes.");
        }

        return EthAddress.FromBytes(word[12..]);
    }
}

public sealed class AbiBoolType : AbiType
{
    public static readonly AbiBoolType Instance = new();

    public override string Name => "bool";

    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    internal override void Encode(object? value, AbiWriter writer) =>
        writer.WriteUInt(value is bool b ? (b ? BigInteger.One : BigInteger.Zero) : throw Mismatch(this, value));

    internal override object Decode(ReadOnlySpan<byte> data, int offset)
    {
        var word = AbiReader.Word(data, offset);
        return word[..31].ContainsAnyExcept((byte)0) || word[31] > 1
            ? throw new AbiException("ABI bool is neither 0 nor 1.")
            : word[31] == 1;
    }
}

public sealed class AbiIntegerType(int bits, bool signed) : AbiType
{
    public int Bits { get; } = bits;

    public bool Signed { get; } = signed;

    public override string Name => (Signed ? "int" : "uint") + Bits.ToString(CultureInfo.InvariantCulture);

    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    internal override void Encode(object? value, AbiWriter writer)
    {
        var v = value switch
        {
            BigInteger b => b,
            byte b => b,
            sbyte b => b,
            ushort b => b,
            short b => b,
            uint b => b,
            int b => b,
            ulong b => b,
            long b => b,
            Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture),
            _ => throw Mismatch(this, value),
        };
        var min = Signed ? -(BigInteger.One << (Bits - 1)) : BigInteger.Zero;
        var max = Signed ? (BigInteger.One << (Bits - 1)) - 1 : (BigInteger.One << Bits) - 1;
        if (v < min || v > max)
        {
            throw new AbiException($"{v} is out of range for ABI {Name}.");
        }

        writer.WriteUInt(v.Sign < 0 ? (BigInteger.One << 256) + v : v);
    }

    internal override object Decode(ReadOnlySpan<byte> data, int offset)
    {
        var word = AbiReader.Word(data, offset);
        var value = new BigInteger(word, isUnsigned: true, isBigEndian: true);
        if (Signed && value >= BigInteger.One << 255)
        {
            value -= BigInteger.One << 256;
        }

        var min = Signed ? -(BigInteger.One << (Bits - 1)) : BigInteger.Zero;
        var max = Signed ? (BigInteger.One << (Bits - 1)) - 1 : (BigInteger.One << Bits) - 1;
        return value < min || value > max ? throw new AbiException($"ABI value out of range for {Name}.") : value;
    }
}

public sealed class AbiFixedBytesType(int length) : AbiType
{
    public int Length { get; } = length;

    public override string Name => "bytes" + Length.ToString(CultureInfo.InvariantCulture);

    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    internal override void Encode(object? value, AbiWriter writer)
    {
        var bytes = value as byte[] ?? throw Mismatch(this, value);
        if (bytes.Length != Length)
        {
            throw new AbiException($"ABI {Name} needs exactly {Length} bytes, got {bytes.Length}.");
        }

        Span<byte> word = stackalloc byte[32];
        word.Clear();
        bytes.CopyTo(word);
        writer.Write(word);
    }

    internal override object Decode(ReadOnlySpan<byte> data, int offset)
    {
        var word = AbiReader.Word(data, offset);
        return word[Length..].ContainsAnyExcept((byte)0)
            ? throw new AbiException($"ABI {Name} with non-zero padding.")
            : word[..Length].ToArray();
    }
}

/// <summary><c>bytes</c> (byte[]) or <c>string</c> (UTF-8).</summary>
public sealed class AbiBytesType : AbiType
{
    public static readonly AbiBytesType Bytes = new(false);
    public static readonly AbiBytesType String = new(true);

    private readonly bool _isString;

    private AbiBytesType(bool isString) => _isString = isString;

    public override string Name => _isString ? "string" : "bytes";

    public override bool IsDynamic => true;

    public override int HeadSize => 32;

    internal override void Encode(object? value, AbiWriter writer)
    {
        var bytes = (_isString, value) switch
        {
            (true, string s) => System.Text.Encoding.UTF8.GetBytes(s),
            (false, byte[] b) => b,
            _ => throw Mismatch(this, value),
        };
        writer.WriteUInt(bytes.Length);
        writer.Write(bytes);
        writer.Pad();
    }

    internal override object Decode(ReadOnlySpan<byte> data, int offset)
    {
        var length = AbiReader.Length(data, offset);
        var start = offset + 32;
        if (length > data.Length - start)
        {
            throw new AbiException($"ABI {Name} length {length} runs past the end of the data.");
        }

        var body = data.Slice(start, length);
        if (!_isString)
        {
            return body.ToArray();
        }

        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(body);
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            throw new AbiException("ABI string is not valid UTF-8.", ex);
        }
    }
}

public sealed class AbiArrayType(AbiType element, int? length) : AbiType
{
    public AbiType Element { get; } = element;

    /// <summary>The fixed length, or null for a dynamic array <c>T[]</c>.</summary>
    public int? FixedLength { get; } = length;

    public override string Name => Element.Name + "[" + (FixedLength?.ToString(CultureInfo.InvariantCulture) ?? "") + "]";

    public override bool IsDynamic => FixedLength is null || Element.IsDynamic;

    public override int HeadSize => IsDynamic ? 32 : Element.HeadSize * FixedLength!.Value;

    internal override void Encode(object? value, AbiWriter writer)
    {
        if (value is null or string or byte[] || value is not IEnumerable items)
        {
            throw Mismatch(this, value);
        }

        var list = items.Cast<object?>().ToArray();
        if (FixedLength is { } n && list.Length != n)
        {
            throw new AbiException($"ABI {Name} needs {n} elements, got {list.Length}.");
        }

        if (FixedLength is null)
        {
            writer.WriteUInt(list.Length);
        }

        AbiTupleType.EncodeSequence(Enumerable.Repeat(Element, list.Length).ToArray(), list, writer);
    }

    internal override object Decode(ReadOnlySpan<byte> data, int offset)
    {
        int count;
        var start = offset;
        if (FixedLength is { } n)
        {
            count = n;
        }
        else
        {
            count = AbiReader.Length(data, offset);
            start += 32;
            // Each element takes at least one word of head: bounds the allocation by the data actually present.
            if (count > (data.Length - start) / 32 + 1)
            {
                throw new AbiException($"ABI {Name} claims {count} elements, more than the data holds.");
            }
        }

        return AbiTupleType.DecodeSequence(Enumerable.Repeat(Element, count).ToArray(), data, start);
    }
}

public sealed class AbiTupleType(IReadOnlyList<AbiType> components) : AbiType
{
    public IReadOnlyList<AbiType> Components { get; } = components;

    public override string Name => "(" + string.Join(',', Components.Select(c => c.Name)) + ")";

    public override bool IsDynamic => Components.Any(c => c.IsDynamic);

    public override int HeadSize => IsDynamic ? 32 : Components.Sum(c => c.HeadSize);

    internal override void Encode(object? value, AbiWriter writer)
    {
        var values = value as object?[] ?? throw Mismatch(this, value);
        EncodeSequence(Components, values, writer);
    }

    internal override object Decode(ReadOnlySpan<byte> data, int offset) => DecodeSequence(Components, data, offset);

    /// <summary>Heads in order, each dynamic value's head being the offset of its body from the sequence start.</summary>
    internal static void EncodeSequence(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, AbiWriter writer)
    {
        if (types.Count != values.Count)
        {
            throw new AbiException($"Expected {types.Count} values, got {values.Count}.");
        }

        var headSize = 0;
        foreach (var t in types)
        {
            headSize += t.HeadSize;
        }

        var tail = new AbiWriter();
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                writer.WriteUInt(headSize + tail.Length);
                types[i].Encode(values[i], tail);
            }
            else
            {
                types[i].Encode(values[i], writer);
            }
        }

        writer.Write(tail.AsSpan());
    }

    internal static object?[] DecodeSequence(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start)
    {
        var values = new object?[types.Count];
        var head = start;
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                var relative = AbiReader.Length(data, head);
                if (relative > data.Length - start)
                {
                    throw new AbiException("ABI offset points past the end of the data.");
                }

                values[i] = types[i].Decode(data, start + relative);
            }
            else
            {
                values[i] = types[i].Decode(data, head);
            }

            head += types[i].HeadSize;
        }

        return values;
    }
}
