using EhrShare.Core.Records.Encryption;

namespace EhrShare.Core.Tests.Records.Encryption;

internal static class RecordTestData
{
    public const int Segment = RecordCipher.SegmentSize;
    public const int SegmentOnDisk = Segment + 16;
    public const int Header = 16;

    public static byte[] Plaintext(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Encrypt(byte[] plaintext, byte[] key)
    {
        using var encryptor = new RecordEncryptingStream(new MemoryStream(plaintext), key);
        using var output = new MemoryStream();
        encryptor.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Reads a decrypting stream to its end, keeping what it released before any failure.</summary>
    public static (byte[] Released, RecordIntegrityException? Error) DecryptCollecting(
        byte[] ciphertext, byte[] key, ExpectedPlaintext? expected = null, int chunk = 8192)
    {
        using var decryptor = new RecordDecryptingStream(new MemoryStream(ciphertext), key, expected);
        using var released = new MemoryStream();
        var buffer = new byte[chunk];
        try
        {
            int n;
            while ((n = decryptor.Read(buffer)) > 0)
            {
                released.Write(buffer, 0, n);
            }

            return (released.ToArray(), null);
        }
        catch (RecordIntegrityException e)
        {
            return (released.ToArray(), e);
        }
    }

    public static byte[] Decrypt(byte[] ciphertext, byte[] key)
    {
        var (released, error) = DecryptCollecting(ciphertext, key);
        return error is null ? released : throw error;
    }

    /// <summary>Offset of segment <paramref name="index"/> in a record written with the default segment size.</summary>
    public static int SegmentOffset(int index) => Header + (index * SegmentOnDisk);
}

/// <summary>Returns at most a few bytes per read, as network streams may.</summary>
internal sealed class TrickleStream(Stream inner, int maxPerRead) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, maxPerRead));

    public override int Read(Span<byte> buffer) => inner.Read(buffer[..Math.Min(buffer.Length, maxPerRead)]);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer[..Math.Min(buffer.Length, maxPerRead)], cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A long deterministic plaintext produced on the fly, so large tests hold nothing whole.</summary>
internal sealed class PatternStream(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public static byte ByteAt(long position) => (byte)((position * 31) ^ (position >> 11));

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            buffer[i] = ByteAt(_position + i);
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
