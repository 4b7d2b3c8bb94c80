using System.Security.Cryptography;

namespace EhrShare.Core.Records.Encryption;

/// <summary>
/// What <see cref="RecordEncryptingStream"/> and <see cref="RecordDecryptingStream"/> share: a read-only, forward-only
/// stream over a source stream that produces its output one record segment at a time, hashes the plaintext on the way
/// through, and owns the record's cipher. A derived stream fills a buffer in <see cref="ProduceAsync"/> and hands it
/// out with <see cref="SetOutput"/>; this class copies it to the readers and does the <see cref="Stream"/> plumbing.
/// </summary>
public abstract class RecordSegmentStream : Stream
{
    private readonly bool _leaveOpen;
    private byte[]? _output;
    private int _outputStart;
    private int _outputEnd;
    private byte[]? _plaintextSha256;
    private bool _disposed;

    private protected RecordSegmentStream(Stream source, ReadOnlySpan<byte> key, bool leaveOpen, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException($"The {sourceName} stream must be readable.", sourceName);
        }

        Cipher = RecordFormat.CreateCipher(key);
        Source = source;
        _leaveOpen = leaveOpen;
    }

    /// <summary>True once the final segment has been produced (and, when decrypting, verified).</summary>
    public bool IsComplete => _plaintextSha256 is not null;

    /// <summary>Plaintext bytes through the stream so far; the plaintext's length once <see cref="IsComplete"/>.</summary>
    public long PlaintextLength { get; private set; }

    /// <summary>SHA-256 of the whole plaintext; available once <see cref="IsComplete"/>.</summary>
    public byte[] PlaintextSha256 => _plaintextSha256 is { } hash
        ? (byte[])hash.Clone()
        : throw new InvalidOperationException("The plaintext hash is known only after the stream has been read to its end.");

    private protected Stream Source { get; }

    private protected AesGcm Cipher { get; }

    private protected IncrementalHash Sha256 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Makes the next piece of output available through <see cref="SetOutput"/>, or throws.</summary>
    private protected abstract ValueTask ProduceAsync(bool useAsync, CancellationToken cancellationToken);

    /// <summary>Throws again the failure that ended the stream, if any.</summary>
    private protected virtual void ThrowIfFailed()
    {
    }

    /// <summary>Returns the derived stream's pooled buffers (wiping any that held plaintext).</summary>
    private protected abstract void ReleaseBuffers();

    /// <summary>The plaintext of one more segment went through: hash and count it.</summary>
    private protected void AddPlaintext(ReadOnlySpan<byte> plaintext)
    {
        Sha256.AppendData(plaintext);
        PlaintextLength += plaintext.Length;
    }

    /// <summary>Ends the plaintext: its hash becomes available and <see cref="IsComplete"/> true.</summary>
    private protected void CompletePlaintext(byte[] sha256) => _plaintextSha256 = sha256;

    /// <summary>The next <paramref name="length"/> bytes to hand out are the start of <paramref name="buffer"/>.</summary>
    private protected void SetOutput(byte[] buffer, int length)
    {
        _output = buffer;
        _outputStart = 0;
        _outputEnd = length;
    }

    /// <summary>Nothing more is handed out from the current output.</summary>
    private protected void ClearOutput() => _outputStart = _outputEnd = 0;

    /// <summary>Fills <paramref name="buffer"/> from the source unless it ends first; returns how much was read.</summary>
    private protected async ValueTask<int> ReadSourceAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken) =>
        useAsync
            ? await Source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)
            : Source.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false);

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfFailed();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_outputStart == _outputEnd && !IsComplete)
        {
            // With useAsync: false every await in ProduceAsync completes synchronously.
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
        ThrowIfFailed();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_outputStart == _outputEnd && !IsComplete)
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
            Release();
            if (!_leaveOpen)
            {
                Source.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            Release();
            if (!_leaveOpen)
            {
                await Source.DisposeAsync();
            }
        }

        await base.DisposeAsync();
    }

    private void Release()
    {
        _disposed = true;
        _output = null;
        ClearOutput();
        ReleaseBuffers();
        Cipher.Dispose();
        Sha256.Dispose();
    }
}
