using System.Buffers.Binary;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Crypto;

/// <summary>
/// A 20-byte Ethereum account address. <see cref="ToString"/> writes the EIP-55 mixed-case checksum form;
/// <see cref="Parse"/> accepts all-lower or all-upper hex, and mixed case only when the checksum is right.
/// </summary>
public readonly struct EthAddress : IEquatable<EthAddress>, IComparable<EthAddress>
{
    public const int Length = 20;

    private static readonly System.Buffers.SearchValues<char> LowerHexLetters = System.Buffers.SearchValues.Create("abcdef");
    private static readonly System.Buffers.SearchValues<char> UpperHexLetters = System.Buffers.SearchValues.Create("ABCDEF");

    // Stored as three integers so the struct is small, comparable and usable as a dictionary key.
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    private EthAddress(ReadOnlySpan<byte> bytes)
    {
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    public static EthAddress Zero => default;

    public bool IsZero => _a == 0 && _b == 0 && _c == 0;

    public static EthAddress FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length
            ? new EthAddress(bytes)
            : throw new ArgumentException($"An address is {Length} bytes, not {bytes.Length}.", nameof(bytes));

    /// <summary>The address of an uncompressed secp256k1 public key (64 bytes x‖y): the last 20 bytes of its Keccak-256.</summary>
    public static EthAddress FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 64)
        {
            throw new ArgumentException("Expected a 64-byte uncompressed public key (x‖y).", nameof(publicKey));
        }

        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(publicKey, hash);
        return new EthAddress(hash[12..]);
    }

    public static EthAddress Parse(string value) =>
        TryParse(value, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string? value, out EthAddress address) => TryParse(value, out address, out _);

    private static bool TryParse(string? value, out EthAddress address, out string error)
    {
        address = default;
        if (value is null || value.Length != 42 || !value.StartsWith("0x", StringComparison.Ordinal) ||
            !Hex.IsHex(value, Length))
        {
            error = $"Not an address (0x and 40 hex digits): '{value}'.";
            return false;
        }

        address = new EthAddress(Convert.FromHexString(value.AsSpan(2)));
        var digits = value.AsSpan(2);
        var hasLower = digits.ContainsAny(LowerHexLetters);
        var hasUpper = digits.ContainsAny(UpperHexLetters);
        if (hasLower && hasUpper && !string.Equals(address.ToString(), value, StringComparison.Ordinal))
        {
            error = $"Address '{value}' has a wrong EIP-55 checksum (mixed case must match {address}).";
            address = default;
            return false;
        }

        error = "";
        return true;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    /// <summary>Lower-case hex with <c>0x</c>, as JSON-RPC parameters use it.</summary>
    public string ToLowerHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Hex.Encode(bytes);
    }

    /// <summary>EIP-55: a hex letter is upper case when the matching nibble of Keccak-256(lower-case hex) is 8 or more.</summary>
    public override string ToString()
    {
        var lower = ToLowerHex()[2..];
        var hash = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(lower));
        return string.Create(42, (lower, hash), static (span, state) =>
        {
            span[0] = '0';
            span[1] = 'x';
            for (var i = 0; i < 40; i++)
            {
                var c = state.lower[i];
                var nibble = (state.hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
                span[i + 2] = c >= 'a' && nibble >= 8 ? char.ToUpperInvariant(c) : c;
            }
        });
    }

    public bool Equals(EthAddress other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is EthAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    public int CompareTo(EthAddress other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }

        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    public static bool operator ==(EthAddress left, EthAddress right) => left.Equals(right);

    public static bool operator !=(EthAddress left, EthAddress right) => !left.Equals(right);

    public static bool operator <(EthAddress left, EthAddress right) => left.CompareTo(right) < 0;

    public static bool operator >(EthAddress left, EthAddress right) => left.CompareTo(right) > 0;

    public static bool operator <=(EthAddress left, EthAddress right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EthAddress left, EthAddress right) => left.CompareTo(right) >= 0;
}
