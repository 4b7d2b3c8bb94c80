using System.Buffers;
using System.Security.Cryptography;

namespace EhrShare.Core.Records.Encryption;

/// <summary>
/// A read-only stream of the encrypted form of a plaintext stream, produced segment by segment as it is read, so
/// that a request body can flow through encryption into an upload without ever being held whole. The plaintext's
/// SHA-256 and length are computed on the way through and available once the stream has been read to its end.
/// </summary>
public sealed class RecordEncryptingStream : RecordSegmentStream
{
    private readonly int _segmentSize;
    private readonly byte[] _header = new byte[RecordFormat.HeaderSize];
    private byte[]? _plain;
    private byte[]? _output;
    private uint _segmentIndex;
    private bool _headerSent;
    private bool _hasCarry;
    private byte _carry;

    /// <param name="plaintext">The plaintext, read once from its current position to its end.</param>
    /// <param name="key">The record's 32-byte key (see <see cref="RecordCipher.GenerateKey"/>); it is not kept.</param>
    /// <param name="leaveOpen">Leave <paramref name="plaintext"/> open when this stream is disposed.</param>
    public RecordEncryptingStream(Stream plaintext, ReadOnlySpan<byte> key, bool leaveOpen = false)
        : this(plaintext, key, RecordFormat.DefaultSegmentSize, leaveOpen)
    {
    }

    internal RecordEncryptingStream(Stream plaintext, ReadOnlySpan<byte> key, int segmentSize, bool leaveOpen = false)
        : base(plaintext, key, leaveOpen, nameof(plaintext))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, RecordFormat.MinSegmentSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentSize, RecordFormat.MaxSegmentSize);
        _segmentSize = segmentSize;
        Span<byte> noncePrefix = stackalloc byte[RecordFormat.NoncePrefixSize];
        RandomNumberGenerator.Fill(noncePrefix);
        RecordFormat.WriteHeader(_header, segmentSize, noncePrefix);
    }

    /// <summary>Makes the next piece of ciphertext available: the header first, then one segment at a time.</summary>
    private protected override async ValueTask ProduceAsync(bool useAsync, CancellationToken cancellationToken)
    {
        _plain ??= ArrayPool<byte>.Shared.Rent(_segmentSize);
        _output ??= ArrayPool<byte>.Shared.Rent(_segmentSize + RecordFormat.TagSize);
        if (!_headerSent)
        {
            _header.CopyTo(_output, 0);
            SetOutput(_output, RecordFormat.HeaderSize);
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

        filled += await ReadSourceAsync(_plain.AsMemory(filled, _segmentSize - filled), useAsync, cancellationToken);
        var isFinal = filled < _segmentSize;
        if (!isFinal)
        {
            // A full segment is final only if nothing follows it: look one byte ahead.
            var next = await ReadSourceAsync(_output.AsMemory(0, 1), useAsync, cancellationToken);
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
        Cipher.Encrypt(nonce, plain, _output.AsSpan(0, length), _output.AsSpan(length, RecordFormat.TagSize), _header);
        AddPlaintext(plain);
        CryptographicOperations.ZeroMemory(plain);
        _segmentIndex++;
        SetOutput(_output!, length + RecordFormat.TagSize);
        if (isFinal)
        {
            CompletePlaintext(Sha256.GetHashAndReset());
        }
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

        if (_output is not null)
        {
            ArrayPool<byte>.Shared.Return(_output);
            _output = null;
        }
    }
}
