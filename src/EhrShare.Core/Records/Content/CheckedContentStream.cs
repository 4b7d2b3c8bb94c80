using System.Security.Cryptography;
using EhrShare.Core.Common;

namespace EhrShare.Core.Records.Content;

/// <summary>
/// Reads a record's content through, checking it against its type as it passes, without holding it: the first
/// bytes (the signature) before anything is stored (<see cref="CheckStartAsync"/>), then text as UTF-8 without NUL,
/// JSON with a streaming reader, FHIR JSON (held up to <see cref="RecordOptions.MaxJsonBytes"/>) parsed as a FHIR
/// resource when its last byte has arrived. A failed check throws <see cref="ValidationFailedException"/> from the
/// read, before end of stream is reported, so whatever consumes the stream (the IPFS add) never completes.
/// Messages say what is wrong and never quote the content.
/// </summary>
public sealed class CheckedContentStream : Stream
{
    private readonly Stream _inner;
    private readonly RecordType _type;
    private readonly IContentCheck? _check;
    private byte[] _head = [];
    private int _headLength;
    private int _headServed;
    private bool _started;
    private bool _completed;

    /// <param name="inner">The content.</param>
    /// <param name="type">What it is declared as.</param>
    /// <param name="maxJsonBytes">The JSON limit.</param>
    /// <param name="fhirParsedAlready">The content is a <see cref="SerializedFhirResource"/>: FHIR JSON is then checked
    /// as JSON only, not parsed as FHIR again.</param>
    public CheckedContentStream(Stream inner, RecordType type, long maxJsonBytes, bool fhirParsedAlready = false)
    {
        _inner = inner;
        _type = type;
        _check = type.Rule switch
        {
            ContentRule.Text => new TextCheck(type),
            ContentRule.Json => new JsonCheck(type, maxJsonBytes, keep: false),
            ContentRule.FhirJson when fhirParsedAlready => new JsonCheck(type, maxJsonBytes, keep: false),
            ContentRule.FhirJson => new FhirCheck(new JsonCheck(type, maxJsonBytes, keep: true)),
            _ => null,
        };
    }

    public RecordType Type => _type;

    /// <summary>
    /// Reads the first bytes (up to <see cref="ContentSniffer.HeadLength"/>) and checks them: the signature of a
    /// binary type, no program or archive where text or JSON is declared, and, for a small file read whole, all of it.
    /// Nothing is stored before this passes.
    /// </summary>
    public async Task CheckStartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        _head = new byte[ContentSniffer.HeadLength];
        int read;
        while (_headLength < _head.Length && (read = await _inner.ReadAsync(_head.AsMemory(_headLength), cancellationToken)) > 0)
        {
            _headLength += read;
        }

        var head = _head.AsSpan(0, _headLength);
        if (_headLength == 0)
        {
            throw new ValidationFailedException("The file is empty. Choose a file with something in it.", "File");
        }

        var kind = ContentSniffer.Identify(head);
        if (_type.Rule == ContentRule.Signature ? !ContentSniffer.HasSignatureOf(_type, head) : kind is { IsText: false })
        {
            throw NotThisType(_type, kind);
        }

        _check?.Append(head, kind);
        if (_headLength < _head.Length)
        {
            Complete(); // the whole file is in the head
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            await CheckStartAsync(cancellationToken);
        }

        if (_headServed < _headLength)
        {
            var n = Math.Min(buffer.Length, _headLength - _headServed);
            _head.AsMemory(_headServed, n).CopyTo(buffer);
            _headServed += n;
            return n;
        }

        if (_completed)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer, cancellationToken);
        if (read == 0)
        {
            Complete();
        }
        else
        {
            _check?.Append(buffer.Span[..read], null);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>"The file is not a PDF: its content is a Windows program."</summary>
    public static ValidationFailedException NotThisType(RecordType type, SniffedKind? actual) => new(
        actual is null
            ? $"The file is not {type.Name}: its content does not start as {type.Name} does."
            : $"The file is not {type.Name}: its content is {actual.Description}.",
        "File");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CryptographicOperations.ZeroMemory(_head); // plaintext of a health record
            (_check as IDisposable)?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Complete()
    {
        if (!_completed)
        {
            _completed = true;
            _check?.Complete();
        }
    }
}
