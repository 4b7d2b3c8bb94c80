using System.Buffers;
using System.Security.Cryptography;

namespace EhrShare.Core.Records.Encryption;

/// <summary>
/// A read-only stream of the encrypted form of a plaintext stream, produced segment by segment as it is read, so
/// that a request body can flow through encryption into an upload without ever being held whole. The plaintext's
/// SHA-256 and length are computed on the way through and available once the stream has been read to its end.
/// </summary>
public sealed class RecordEncryptingStream : Stream
{
    private readonly Stream _plaintext;
    private readonly bool _leaveOpen;
    private readonly AesGcm _aes;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly int _segmentSize;
    private readonly byte[] _header = new byte[RecordFormat.HeaderSize];
    private byte[]? _plain;
    private byte[]? _output;
    private int _outputStart;
    private int _outputEnd;
    private uint _segmentIndex;
    private bool _headerSent;
    private bool _finalSegmentSent;
    private bool _hasCarry;
    private byte _carry;
    private long _plaintextLength;
    private byte[]? _plaintextSha256;
    private bool _disposed;

    /// <param name="plaintext">The plaintext, read once from its current position to its end.</param>
    /// <param name="key">The record's 32-byte key (see <see cref="RecordCipher.GenerateKey"/>); it is not kept.</param>
    /// <param name="leaveOpen">Leave <paramref name="plaintext"/> open when this stream is disposed.</param>
    public RecordEncryptingStream(Stream plaintext, ReadOnlySpan<byte> key, bool leaveOpen = false)
        : this(plaintext, key, RecordFormat.DefaultSegmentSize, leaveOpen)
    {
    }

    internal RecordEncryptingStream(Stream plaintext, ReadOnlySpan<byte> key, int segmentSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        if (!plaintext.CanRead)
        {
            throw new ArgumentException("The plaintext stream must be readable.", nameof(plaintext));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, RecordFormat.MinSegmentSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentSize, RecordFormat.MaxSegmentSize);
        _aes = RecordFormat.CreateCipher(key);
        _plaintext = plaintext;
        _leaveOpen = leaveOpen;
        _segmentSize = segmentSize;
        Span<byte> noncePrefix = stackalloc byte[RecordFormat.NoncePrefixSize];
        RandomNumberGenerator.Fill(noncePrefix);
        RecordFormat.WriteHeader(_header, segmentSize, noncePrefix);
    }

    /// <summary>True once the whole plaintext has been read and encrypted.</summary>
    public bool IsComplete => _finalSegmentSent;

    /// <summary>Plaintext bytes encrypted so far; the plaintext's length once <see cref="IsComplete"/>.</summary>
    public long PlaintextLength => _plaintextLength;

    /// <summary>SHA-256 of the whole plaintext; available once <see cref="IsComplete"/>.</summary>
    public byte[] PlaintextSha256 => _plaintextSha256 is { } hash
        ? (byte[])hash.Clone()
        : throw new InvalidOperationException("The plaintext hash is known only after the stream has been read to its end.");

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_outputStart == _outputEnd && !_finalSegmentSent)
        {
            // With useAsync: false every await below completes synchronously.
            ProduceAsync(useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_outputStart == _outputEnd && !_finalSegmentSent)
        {
            await ProduceAsync(useAsync: true, cancellationToken);
        }

        return CopyOut(buffer.Span);
    }

    private int CopyOut(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _outputEnd - _outputStart);
        if (n > 0)
        {
            _output.AsSpan(_outputStart, n).CopyTo(destination);
            _outputStart += n;
        }

        return n;
    }

    /// <summary>Makes the next piece of ciphertext available: the header first, then one segment at a time.</summary>
    private async ValueTask ProduceAsync(bool useAsync, CancellationToken cancellationToken)
    {
        _plain ??= ArrayPool<byte>.Shared.Rent(_segmentSize);
        _output ??= ArrayPool<byte>.Shared.Rent(_segmentSize + RecordFormat.TagSize);
        if (!_headerSent)
        {
            _header.CopyTo(_output, 0);
            _outputStart = 0;
            _outputEnd = RecordFormat.HeaderSize;
            _headerSent = true;
            return;
        }

        var filled = 0;
        if (_hasCarry)
        {
            _plain[0] = _carry;
            _hasCarry = false;
            filled = 1;
        }

        filled += await ReadAtLeastAsync(_plain.AsMemory(filled, _segmentSize - filled), useAsync, cancellationToken);
        var isFinal = filled < _segmentSize;
        if (!isFinal)
        {
            // A full segment is final only if nothing follows it: look one byte ahead.
            var next = await ReadAtLeastAsync(_output.AsMemory(0, 1), useAsync, cancellationToken);
            isFinal = next == 0;
            if (!isFinal)
            {
                _carry = _output[0];
                _hasCarry = true;
            }
        }

        EncryptSegment(filled, isFinal);
    }

    private void EncryptSegment(int length, bool isFinal)
    {
        if (!isFinal && _segmentIndex == uint.MaxValue)
        {
            throw new InvalidOperationException("The plaintext is too large for one record (2^32 segments).");
        }

        var plain = _plain.AsSpan(0, length);
        Span<byte> nonce = stackalloc byte[RecordFormat.NonceSize];
        RecordFormat.BuildNonce(nonce, RecordFormat.NoncePrefix(_header), _segmentIndex, isFinal);
        _aes.Encrypt(nonce, plain, _output.AsSpan(0, length), _output.AsSpan(length, RecordFormat.TagSize), _header);
        _sha256.AppendData(plain);
        CryptographicOperations.ZeroMemory(plain);
        _plaintextLength += length;
        _segmentIndex++;
        _outputStart = 0;
        _outputEnd = length + RecordFormat.TagSize;
        if (isFinal)
        {
            _finalSegmentSent = true;
            _plaintextSha256 = _sha256.GetHashAndReset();
        }
    }

    private async ValueTask<int> ReadAtLeastAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken) =>
        useAsync
            ? await _plaintext.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)
            : _plaintext.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            ReleaseBuffers();
            if (!_leaveOpen)
            {
                _plaintext.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            ReleaseBuffers();
            if (!_leaveOpen)
            {
                await _plaintext.DisposeAsync();
            }
        }

        await base.DisposeAsync();
    }

    private void ReleaseBuffers()
    {
        _aes.Dispose();
        _sha256.Dispose();
        if (_plain is not null)
        {
            // Pooled arrays are shared with the rest of the process: never hand plaintext back to the pool.
            CryptographicOperations.ZeroMemory(_plain);
            ArrayPool<byte>.Shared.Return(_plain);
            _plain = null;
        }

        if (_output is not null)
        {
            ArrayPool<byte>.Shared.Return(_output);
            _output = null;
        }
    }
}
