using System.Security.Cryptography;

namespace EhrShare.Core.Records.Encryption;

/// <summary>Keys and sizes of encrypted records (AES-256-GCM in 64 KiB segments; see docs/record-format.md).</summary>
public static class RecordCipher
{
    /// <summary>Size of a record key: 32 bytes (AES-256).</summary>
    public const int KeySize = RecordFormat.KeySize;

    /// <summary>Plaintext bytes per segment in records this program writes.</summary>
    public const int SegmentSize = RecordFormat.DefaultSegmentSize;

    /// <summary>A fresh random key for one record. Use it for that record only.</summary>
    public static byte[] GenerateKey() => RandomNumberGenerator.GetBytes(KeySize);

    /// <summary>The exact size of the encrypted form of <paramref name="plaintextLength"/> bytes.</summary>
    public static long GetCiphertextLength(long plaintextLength) =>
        GetCiphertextLength(plaintextLength, SegmentSize);

    internal static long GetCiphertextLength(long plaintextLength, int segmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        // An empty plaintext is still one (empty) final segment.
        var segments = Math.Max(1, (plaintextLength + segmentSize - 1) / segmentSize);
        return RecordFormat.HeaderSize + plaintextLength + (segments * RecordFormat.TagSize);
    }
}
