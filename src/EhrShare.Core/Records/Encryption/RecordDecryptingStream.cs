using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace EhrShare.Core.Records.Encryption;

/// <summary>The plaintext length and SHA-256 recorded for a record when it was stored.</summary>
public sealed record ExpectedPlaintext(long Length, byte[] Sha256);

/// <summary>
/// A read-only stream of the plaintext of an encrypted record, decrypted segment by segment as it is read (for
/// example from an IPFS cat response straight into an HTTP response). A segment's plaintext is released only after
/// its tag has verified; reordered, truncated, extended or altered records fail with
/// <see cref="RecordIntegrityException"/>. When an <see cref="ExpectedPlaintext"/> is given, the final segment is
/// released only once the whole plaintext's length and SHA-256 match it.
/// </summary>
public sealed class RecordDecryptingStream : Stream
{
    private readonly Stream _ciphertext;
    private readonly bool _leaveOpen;
    private readonly AesGcm _aes;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ExpectedPlaintext? _expected;
    private readonly byte[] _header = new byte[RecordFormat.HeaderSize];
    private readonly byte[] _peek = new byte[1];
    private int _segmentSize;
    private bool _headerRead;
    private byte[]? _cipher;
    private byte[]? _plain;
    private int _plainStart;
    private int _plainEnd;
    private uint _segmentIndex;
    private bool _finalSegmentRead;
    private bool _hasCarry;
    private long _plaintextLength;
    private byte[]? _plaintextSha256;
    private ExceptionDispatchInfo? _failure;
    private bool _disposed;

    /// <param name="ciphertext">The encrypted record, read once from its current position to its end.</param>
    /// <param name="key">The record's 32-byte key; it is not kept.</param>
    /// <param name="expected">The plaintext length and SHA-256 the record must decrypt to, if known.</param>
    /// <param name="leaveOpen">Leave <paramref name="ciphertext"/> open when this stream is disposed.</param>
    public RecordDecryptingStream(Stream ciphertext, ReadOnlySpan<byte> key, ExpectedPlaintext? expected = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (!ciphertext.CanRead)
        {
            throw new ArgumentException("The ciphertext stream must be readable.", nameof(ciphertext));
        }

        if (expected is not null && (expected.Length < 0 || expected.Sha256 is not { Length: 32 }))
        {
            throw new ArgumentException("The expected plaintext needs a non-negative length and a 32-byte SHA-256.", nameof(expected));
        }

        _aes = RecordFormat.CreateCipher(key);
        _ciphertext = ciphertext;
        _expected = expected;
        _leaveOpen = leaveOpen;
    }

    /// <summary>True once the final segment has been verified (and the expectation, if any, met).</summary>
    public bool IsComplete => _finalSegmentRead;

    /// <summary>Plaintext bytes verified so far; the plaintext's length once <see cref="IsComplete"/>.</summary>
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
        _failure?.Throw();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_plainStart == _plainEnd && !_finalSegmentRead)
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
        _failure?.Throw();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_plainStart == _plainEnd && !_finalSegmentRead)
        {
            await ProduceAsync(useAsync: true, cancellationToken);
        }

        return CopyOut(buffer.Span);
    }

    private int CopyOut(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _plainEnd - _plainStart);
        if (n > 0)
        {
            _plain.AsSpan(_plainStart, n).CopyTo(destination);
            _plainStart += n;
        }

        return n;
    }

    /// <summary>Reads, verifies and decrypts the next segment (reading the header first).</summary>
    private async ValueTask ProduceAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (!_headerRead)
        {
            var got = await ReadAtLeastAsync(_header, useAsync, cancellationToken);
            if (got < RecordFormat.HeaderSize)
            {
                Fail(new RecordIntegrityException(RecordIntegrityFailure.Truncated,
                    $"The record is {got} bytes long, shorter than its {RecordFormat.HeaderSize}-byte header."));
            }

            try
            {
                _segmentSize = RecordFormat.ParseHeader(_header);
            }
            catch (RecordIntegrityException e)
            {
                Fail(e);
            }

            _cipher = ArrayPool<byte>.Shared.Rent(_segmentSize + RecordFormat.TagSize);
            _plain = ArrayPool<byte>.Shared.Rent(_segmentSize);
            _headerRead = true;
        }

        var cipher = _cipher!;
        var segmentLength = _segmentSize + RecordFormat.TagSize;
        var filled = 0;
        if (_hasCarry)
        {
            cipher[0] = _peek[0];
            _hasCarry = false;
            filled = 1;
        }

        filled += await ReadAtLeastAsync(cipher.AsMemory(filled, segmentLength - filled), useAsync, cancellationToken);
        var isFinal = filled < segmentLength;
        if (!isFinal)
        {
            // A full segment is the final one only if nothing follows it: look one byte ahead.
            isFinal = await ReadAtLeastAsync(_peek, useAsync, cancellationToken) == 0;
            _hasCarry = !isFinal;
        }

        DecryptSegment(filled, isFinal);
    }

    private void DecryptSegment(int segmentBytes, bool isFinal)
    {
        var index = _segmentIndex;
        if (segmentBytes < RecordFormat.TagSize)
        {
            Fail(new RecordIntegrityException(RecordIntegrityFailure.Truncated, segmentBytes == 0
                ? "The record has a header but no segments: it was cut short."
                : $"The record ends inside segment {index}, before its authentication tag: it was cut short."));
        }

        if (!isFinal && index == uint.MaxValue)
        {
            Fail(new RecordIntegrityException(RecordIntegrityFailure.TrailingData, "The record has more segments than the format allows."));
        }

        var length = segmentBytes - RecordFormat.TagSize;
        var ciphertext = _cipher.AsSpan(0, length);
        var tag = _cipher.AsSpan(length, RecordFormat.TagSize);
        var plain = _plain.AsSpan(0, length);
        var noncePrefix = RecordFormat.NoncePrefix(_header);
        Span<byte> nonce = stackalloc byte[RecordFormat.NonceSize];
        RecordFormat.BuildNonce(nonce, noncePrefix, index, isFinal);
        if (!TryDecrypt(nonce, ciphertext, tag, plain))
        {
            // Tell truncation and extension apart from other damage: the segment may verify as the other kind.
            RecordFormat.BuildNonce(nonce, noncePrefix, index, !isFinal);
            var otherKindVerifies = TryDecrypt(nonce, ciphertext, tag, plain);
            CryptographicOperations.ZeroMemory(plain);
            Fail(!otherKindVerifies
                ? new RecordIntegrityException(RecordIntegrityFailure.AuthenticationFailed,
                    $"Segment {index} of the record failed authentication: the key is wrong, or the record was altered or its segments reordered.")
                : isFinal
                    ? new RecordIntegrityException(RecordIntegrityFailure.Truncated,
                        $"The record ends after segment {index}, which is not its final segment: it was cut short.")
                    : new RecordIntegrityException(RecordIntegrityFailure.TrailingData,
                        $"Data follows segment {index}, the record's final segment: something was appended."));
        }

        _sha256.AppendData(plain);
        _plaintextLength += length;
        _segmentIndex++;
        if (_expected is not null && _plaintextLength > _expected.Length)
        {
            CryptographicOperations.ZeroMemory(plain);
            Fail(PlaintextMismatch());
        }

        if (isFinal)
        {
            var hash = _sha256.GetHashAndReset();
            if (_expected is not null
                && (_plaintextLength != _expected.Length || !CryptographicOperations.FixedTimeEquals(hash, _expected.Sha256)))
            {
                CryptographicOperations.ZeroMemory(plain);
                Fail(PlaintextMismatch());
            }

            _plaintextSha256 = hash;
            _finalSegmentRead = true;
        }

        _plainStart = 0;
        _plainEnd = length;
    }

    private RecordIntegrityException PlaintextMismatch() =>
        new(RecordIntegrityFailure.PlaintextMismatch,
            $"The record decrypts to a plaintext whose length or SHA-256 differs from the recorded one ({_expected!.Length} bytes).");

    private bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plain)
    {
        try
        {
            _aes.Decrypt(nonce, ciphertext, tag, plain, _header);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(RecordIntegrityException exception)
    {
        // Every later read fails the same way: a damaged record never yields more plaintext.
        _failure = ExceptionDispatchInfo.Capture(exception);
        _plainStart = _plainEnd = 0;
        throw exception;
    }

    private async ValueTask<int> ReadAtLeastAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken) =>
        useAsync
            ? await _ciphertext.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)
            : _ciphertext.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false);

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
                _ciphertext.Dispose();
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
                await _ciphertext.DisposeAsync();
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

        if (_cipher is not null)
        {
            ArrayPool<byte>.Shared.Return(_cipher);
            _cipher = null;
        }
    }
}
