using System.Diagnostics.CodeAnalysis;

namespace EhrShare.Sharing;

/// <summary>
/// One Shamir share of a record's block: the point (x, f(x)) of the block's random polynomial, with what is needed
/// to use it (threshold k, share count n, field, secret length) and the record it belongs to. Immutable. Its
/// serialised form (<see cref="ToBytes"/>, <see cref="Parse"/>) is what a share node stores; see
/// docs/share-format.md. A share reveals nothing about the block on its own, but it is still secret material:
/// never log <see cref="Payload"/> (<see cref="ToString"/> shows only the metadata).
/// </summary>
public sealed class Share
{
    /// <summary>Wraps an existing payload (kept by reference, not copied: do not change it afterwards).</summary>
    /// <exception cref="ArgumentOutOfRangeException">x = 0, k &lt; 2, n &gt; 255, k &gt; n, an unknown field or a secret length outside 1..<see cref="Shamir.MaxSecretLength"/>.</exception>
    /// <exception cref="ArgumentException">The payload length does not match the field and secret length.</exception>
    public Share(Guid recordId, byte x, int k, int n, ShareField field, int secretLength, ReadOnlyMemory<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfZero(x);
        Shamir.ValidateParameters(secretLength, n, k, field);
        var expected = ShareFormat.PayloadLength(field, secretLength);
        if (payload.Length != expected)
        {
            throw new ArgumentException($"A {field} payload for a {secretLength}-byte secret is {expected} bytes, not {payload.Length}.", nameof(payload));
        }

        (RecordId, X, K, N, Field, SecretLength, Payload) = (recordId, x, k, n, field, secretLength, payload);
    }

    internal Share(Guid recordId, byte x, int k, int n, ShareField field, int secretLength, ReadOnlyMemory<byte> payload, bool validated)
    {
        _ = validated;
        (RecordId, X, K, N, Field, SecretLength, Payload) = (recordId, x, k, n, field, secretLength, payload);
    }

    /// <summary>The record whose block this share is part of.</summary>
    public Guid RecordId { get; }

    /// <summary>The x coordinate, 1..255; distinct within a block's shares.</summary>
    public byte X { get; }

    /// <summary>The threshold: any k shares rebuild the block, fewer reveal nothing.</summary>
    public int K { get; }

    /// <summary>How many shares the block was split into.</summary>
    public int N { get; }

    /// <summary>The field the block was shared over.</summary>
    public ShareField Field { get; }

    /// <summary>The length of the shared secret (the block) in bytes.</summary>
    public int SecretLength { get; }

    /// <summary>f(x) for every secret byte (GF(2^8)) or 15-byte element (prime field, 16 bytes each).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The length of <see cref="ToBytes"/>: payload plus 40 bytes of header and checksum.</summary>
    public int SerializedLength => ShareFormat.Overhead + Payload.Length;

    /// <summary>The serialised length of a share of a secret of the given length.</summary>
    public static int GetSerializedLength(ShareField field, int secretLength)
    {
        Shamir.ValidateSecretLength(secretLength, nameof(secretLength));
        return ShareFormat.Overhead + ShareFormat.PayloadLength(field, secretLength);
    }

    /// <summary>The share in the versioned binary format, checksum included.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[SerializedLength];
        ShareFormat.Write(this, bytes);
        return bytes;
    }

    /// <summary>Writes <see cref="ToBytes"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="SerializedLength"/>.</exception>
    public int WriteTo(Span<byte> destination)
    {
        if (!TryWriteTo(destination, out var written))
        {
            throw new ArgumentException($"The destination needs {SerializedLength} bytes.", nameof(destination));
        }

        return written;
    }

    /// <summary>Writes <see cref="ToBytes"/> into <paramref name="destination"/> if it is long enough.</summary>
    public bool TryWriteTo(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < SerializedLength)
        {
            return false;
        }

        ShareFormat.Write(this, destination);
        bytesWritten = SerializedLength;
        return true;
    }

    /// <summary>Reads a serialised share (exactly one, nothing after it). The payload is copied.</summary>
    /// <exception cref="ShareFormatException">Truncated, corrupted (checksum), of another version or otherwise invalid.</exception>
    public static Share Parse(ReadOnlySpan<byte> data) =>
        ShareFormat.Read(data, out var error, out var message) ?? throw new ShareFormatException(error, message);

    /// <summary>Like <see cref="Parse"/>, but returns false instead of throwing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out Share? share)
    {
        share = ShareFormat.Read(data, out _, out _);
        return share is not null;
    }

    /// <summary>The metadata only, never the payload.</summary>
    public override string ToString() =>
        $"Share {{ RecordId = {RecordId}, X = {X}, K = {K}, N = {N}, Field = {Field}, SecretLength = {SecretLength} }}";
}
