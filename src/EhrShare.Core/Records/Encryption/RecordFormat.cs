using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EhrShare.Core.Records.Encryption;

/// <summary>
/// Layout of an encrypted record (version 1), documented byte for byte in docs/record-format.md:
/// a 16-byte header, then one or more segments, each the AES-256-GCM encryption of up to
/// <see cref="DefaultSegmentSize"/> plaintext bytes followed by its 16-byte tag.
/// </summary>
internal static class RecordFormat
{
    public const int HeaderSize = 16;
    public const int TagSize = 16;
    public const int NonceSize = 12;
    public const int NoncePrefixSize = 7;
    public const int KeySize = 32;
    public const byte Version1 = 1;
    public const int DefaultSegmentSize = 64 * 1024;

    // Bounds on the segment size a reader accepts: they cap the buffers a (possibly hostile) header can ask for.
    public const int MinSegmentSize = 1024;
    public const int MaxSegmentSize = 1024 * 1024;

    /// <summary>"EHRC": EhrShare record ciphertext.</summary>
    public static ReadOnlySpan<byte> Magic => "EHRC"u8;

    private const int VersionOffset = 4;
    private const int SegmentSizeOffset = 5;
    private const int NoncePrefixOffset = 9;

    public static void WriteHeader(Span<byte> header, int segmentSize, ReadOnlySpan<byte> noncePrefix)
    {
        Magic.CopyTo(header);
        header[VersionOffset] = Version1;
        BinaryPrimitives.WriteUInt32BigEndian(header[SegmentSizeOffset..], (uint)segmentSize);
        noncePrefix.CopyTo(header[NoncePrefixOffset..HeaderSize]);
    }

    /// <summary>Checks a header and returns its segment size; the nonce prefix is read with <see cref="NoncePrefix"/>.</summary>
    public static int ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new RecordIntegrityException(RecordIntegrityFailure.NotARecord,
                "The data is not an EhrShare encrypted record (its first bytes are not the record magic).");
        }

        if (header[VersionOffset] != Version1)
        {
            throw new RecordIntegrityException(RecordIntegrityFailure.UnsupportedVersion,
                $"The record uses format version {header[VersionOffset]}; this program reads version {Version1}.");
        }

        var segmentSize = BinaryPrimitives.ReadUInt32BigEndian(header[SegmentSizeOffset..]);
        if (segmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            throw new RecordIntegrityException(RecordIntegrityFailure.NotARecord,
                $"The record header announces a segment size of {segmentSize} bytes, outside {MinSegmentSize}..{MaxSegmentSize}.");
        }

        return (int)segmentSize;
    }

    public static ReadOnlySpan<byte> NoncePrefix(ReadOnlySpan<byte> header) => header[NoncePrefixOffset..HeaderSize];

    /// <summary>nonce = prefix (7 bytes) ‖ segment index (uint32, big-endian) ‖ 0x01 for the final segment, else 0x00.</summary>
    public static void BuildNonce(Span<byte> nonce, ReadOnlySpan<byte> noncePrefix, uint segmentIndex, bool isFinal)
    {
        noncePrefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], segmentIndex);
        nonce[NonceSize - 1] = isFinal ? (byte)1 : (byte)0;
    }

    public static void ValidateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A record key is {KeySize} bytes (AES-256), not {key.Length}.", nameof(key));
        }
    }

    public static AesGcm CreateCipher(ReadOnlySpan<byte> key)
    {
        ValidateKey(key);
        return new AesGcm(key, TagSize);
    }
}
