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
public sealed class RecordDecryptingStream : RecordSegmentStream
{
    private readonly ExpectedPlaintext? _expected;
    private readonly byte[] _header = new byte[RecordFormat.HeaderSize];
    private readonly byte[] _peek = new byte[1];
    private int _segmentSize;
    private bool _headerRead;
    private byte[]? _cipher;
    private byte[]? _plain;
    private uint _segmentIndex;
    private bool _hasCarry;
    private ExceptionDispatchInfo? _failure;

    /// <param name="ciphertext">The encrypted record, read once from its current position to its end.</param>
    /// <param name="key">The record's 32-byte key; it is not kept.</param>
    /// <param name="expected">The plaintext length and SHA-256 the record must decrypt to, if known.</param>
    /// <param name="leaveOpen">Leave <paramref name="ciphertext"/> open when this stream is disposed.</param>
    public RecordDecryptingStream(Stream ciphertext, ReadOnlySpan<byte> key, ExpectedPlaintext? expected = null, bool leaveOpen = false)
        : base(ciphertext, key, leaveOpen, nameof(ciphertext))
    {
        if (expected is not null && (expected.Length < 0 || expected.Sha256 is not { Length: 32 }))
        {
            Cipher.Dispose();
            throw new ArgumentException("The expected plaintext needs a non-negative length and a 32-byte SHA-256.", nameof(expected));
        }

        _expected = expected;
    }

    private protected override void ThrowIfFailed() => _failure?.Throw();

    /// <summary>Reads, verifies and decrypts the next segment (reading the header first).</summary>
    private protected override async ValueTask ProduceAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (!_headerRead)
        {
            var got = await ReadSourceAsync(_header, useAsync, cancellationToken);
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

        filled += await ReadSourceAsync(cipher.AsMemory(filled, segmentLength - filled), useAsync, cancellationToken);
        var isFinal = filled < segmentLength;
        if (!isFinal)
        {
            // A full segment is the final one only if nothing follows it: look one byte ahead.
            isFinal = await ReadSourceAsync(_peek, useAsync, cancellationToken) == 0;
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

        AddPlaintext(plain);
        _segmentIndex++;
        if (_expected is not null && PlaintextLength > _expected.Length)
        {
            CryptographicOperations.ZeroMemory(plain);
            Fail(PlaintextMismatch());
        }

        if (isFinal)
        {
            var hash = Sha256.GetHashAndReset();
            if (_expected is not null
                && (PlaintextLength != _expected.Length || !CryptographicOperations.FixedTimeEquals(hash, _expected.Sha256)))
            {
                CryptographicOperations.ZeroMemory(plain);
                Fail(PlaintextMismatch());
            }

            CompletePlaintext(hash);
        }

        SetOutput(_plain!, length);
    }

    private RecordIntegrityException PlaintextMismatch() =>
        new(RecordIntegrityFailure.PlaintextMismatch,
            $"The record decrypts to a plaintext whose length or SHA-256 differs from the recorded one ({_expected!.Length} bytes).");

    private bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plain)
    {
        try
        {
            Cipher.Decrypt(nonce, ciphertext, tag, plain, _header);
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
        ClearOutput();
        throw exception;
    }

    private protected override void ReleaseBuffers()
    {
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
