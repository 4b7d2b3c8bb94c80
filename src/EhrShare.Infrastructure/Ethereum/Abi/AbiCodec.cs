using System.Numerics;

namespace EhrShare.Infrastructure.Ethereum.Abi;

/// <summary>Encodes and decodes ABI parameter lists (a tuple of the given types).</summary>
public static class AbiCodec
{
    public static byte[] Encode(IReadOnlyList<AbiType> types, params IReadOnlyList<object?> values)
    {
        var writer = new AbiWriter();
        AbiTupleType.EncodeSequence(types, values, writer);
        return writer.ToArray();
    }

    public static byte[] Encode(string commaSeparatedTypes, params IReadOnlyList<object?> values) =>
        Encode(ParseList(commaSeparatedTypes), values);

    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data) =>
        AbiTupleType.DecodeSequence(types, data, 0);

    public static IReadOnlyList<AbiType> ParseList(string commaSeparatedTypes) =>
        AbiType.SplitTopLevel(commaSeparatedTypes.Replace(" ", "", StringComparison.Ordinal)).Select(AbiType.Parse).ToArray();
}

/// <summary>An append-only buffer of 32-byte words.</summary>
internal sealed class AbiWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteUInt(BigInteger value)
    {
        Span<byte> word = stackalloc byte[32];
        word.Clear();
        var count = value.GetByteCount(isUnsigned: true);
        if (count > 32)
        {
            throw new AbiException("Value does not fit in 256 bits.");
        }

        value.TryWriteBytes(word[(32 - count)..], out _, isUnsigned: true, isBigEndian: true);
        Write(word);
    }

    /// <summary>Zero-pads to a whole number of words.</summary>
    public void Pad()
    {
        var rem = Length % 32;
        if (rem != 0)
        {
            Ensure(32 - rem);
            _buffer.AsSpan(Length, 32 - rem).Clear();
            Length += 32 - rem;
        }
    }

    public ReadOnlySpan<byte> AsSpan() => _buffer.AsSpan(0, Length);

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    private void Ensure(int extra)
    {
        if (Length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + extra));
        }
    }
}

internal static class AbiReader
{
    public static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> data, int offset) =>
        offset >= 0 && offset <= data.Length - 32
            ? data.Slice(offset, 32)
            : throw new AbiException($"ABI data too short: a word at {offset} in {data.Length} bytes.");

    /// <summary>A length or offset word, which must fit comfortably in an int.</summary>
    public static int Length(ReadOnlySpan<byte> data, int offset)
    {
        var word = Word(data, offset);
        if (word[..28].ContainsAnyExcept((byte)0) || word[28] >= 0x80)
        {
            throw new AbiException("ABI length or offset too large.");
        }

        return (word[28] << 24) | (word[29] << 16) | (word[30] << 8) | word[31];
    }
}
