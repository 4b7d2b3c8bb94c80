using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EhrShare.Sharing;

/// <summary>
/// Layout of a serialised share, version 1 (docs/share-format.md): a 32-byte header, the payload, and the first
/// 8 bytes of SHA-256 over header and payload. Integers are big-endian; the record id is in RFC 4122 byte order.
/// </summary>
internal static class ShareFormat
{
    public const byte Version = 1;
    public const int HeaderLength = 32;
    public const int ChecksumLength = 8;
    public const int Overhead = HeaderLength + ChecksumLength;

    private const int VersionOffset = 4;
    private const int FieldOffset = 5;
    private const int XOffset = 6;
    private const int KOffset = 7;
    private const int NOffset = 8;
    private const int ReservedOffset = 9;
    private const int ReservedLength = 3;
    private const int SecretLengthOffset = 12;
    private const int RecordIdOffset = 16;

    public static ReadOnlySpan<byte> Magic => "EHSS"u8;

    public static int PayloadLength(ShareField field, int secretLength) => field switch
    {
        ShareField.Gf256 => secretLength,
        ShareField.Prime127 => Prime127Sharing.PayloadLength(secretLength),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown share field."),
    };

    public static void Write(Share share, Span<byte> destination)
    {
        var payload = share.Payload.Span;
        var body = destination[..(HeaderLength + payload.Length)];
        Magic.CopyTo(body);
        body[VersionOffset] = Version;
        body[FieldOffset] = (byte)share.Field;
        body[XOffset] = share.X;
        body[KOffset] = (byte)share.K;
        body[NOffset] = (byte)share.N;
        body.Slice(ReservedOffset, ReservedLength).Clear();
        BinaryPrimitives.WriteUInt32BigEndian(body[SecretLengthOffset..], (uint)share.SecretLength);
        share.RecordId.TryWriteBytes(body[RecordIdOffset..], bigEndian: true, out _);
        payload.CopyTo(body[HeaderLength..]);
        WriteChecksum(body, destination.Slice(body.Length, ChecksumLength));
    }

    public static Share? Read(ReadOnlySpan<byte> data, out ShareFormatError error, out string message)
    {
        (error, message) = (default, string.Empty);
        if (data.Length < Overhead)
        {
            return Fail(ShareFormatError.Truncated, $"A share is at least {Overhead} bytes; got {data.Length}.", out error, out message);
        }

        if (!data.StartsWith(Magic))
        {
            return Fail(ShareFormatError.BadMagic, "The data does not start with the share magic \"EHSS\".", out error, out message);
        }

        if (data[VersionOffset] != Version)
        {
            return Fail(
                ShareFormatError.UnsupportedVersion,
                $"Share format version {data[VersionOffset]} is not supported (this library reads version {Version}).",
                out error,
                out message);
        }

        var field = (ShareField)data[FieldOffset];
        if (field is not (ShareField.Gf256 or ShareField.Prime127))
        {
            return Fail(ShareFormatError.UnknownField, $"Unknown share field {data[FieldOffset]}.", out error, out message);
        }

        var secretLength = BinaryPrimitives.ReadUInt32BigEndian(data[SecretLengthOffset..]);
        if (secretLength is 0 or > Shamir.MaxSecretLength)
        {
            return Fail(ShareFormatError.InvalidHeader, $"Secret length {secretLength} is out of range.", out error, out message);
        }

        var payloadLength = PayloadLength(field, (int)secretLength);
        var expected = Overhead + payloadLength;
        if (data.Length != expected)
        {
            return data.Length < expected
                ? Fail(ShareFormatError.Truncated, $"The share is {data.Length} bytes; its header says {expected}.", out error, out message)
                : Fail(ShareFormatError.TrailingBytes, $"The share is {data.Length} bytes; its header says {expected}.", out error, out message);
        }

        var body = data[..(HeaderLength + payloadLength)];
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        WriteChecksum(body, checksum);
        if (!checksum.SequenceEqual(data[body.Length..]))
        {
            return Fail(ShareFormatError.ChecksumMismatch, "The share's checksum does not match: the stored share is corrupted.", out error, out message);
        }

        var x = data[XOffset];
        int k = data[KOffset];
        int n = data[NOffset];
        if (x == 0 || k < Shamir.MinThreshold || k > n || data.Slice(ReservedOffset, ReservedLength).IndexOfAnyExcept((byte)0) >= 0)
        {
            return Fail(ShareFormatError.InvalidHeader, $"Invalid share header: x={x}, k={k}, n={n} or reserved bytes set.", out error, out message);
        }

        if (field == ShareField.Prime127 && !Prime127Sharing.AllBelowPrime(body[HeaderLength..]))
        {
            return Fail(ShareFormatError.NonCanonicalElement,
                "A prime-field share element is not below p = 2^127 - 1: a share has one encoding, and this is not it.", out error, out message);
        }

        var recordId = new Guid(data.Slice(RecordIdOffset, 16), bigEndian: true);
        return new Share(recordId, x, k, n, field, (int)secretLength, body[HeaderLength..].ToArray(), validated: true);
    }

    private static void WriteChecksum(ReadOnlySpan<byte> body, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        hash[..ChecksumLength].CopyTo(destination);
    }

    private static Share? Fail(ShareFormatError reason, string text, out ShareFormatError error, out string message)
    {
        error = reason;
        message = text;
        return null;
    }
}
