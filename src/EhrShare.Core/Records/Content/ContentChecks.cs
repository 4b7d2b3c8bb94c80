using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EhrShare.Core.Common;

namespace EhrShare.Core.Records.Content;

/// <summary>A check fed the content in order, chunk by chunk; each call throws <see cref="ValidationFailedException"/>
/// as soon as the content fails.</summary>
internal interface IContentCheck
{
    /// <param name="chunk">The next bytes of the content.</param>
    /// <param name="start">What the first bytes were recognised as (only with the first chunk), for the message.</param>
    void Append(ReadOnlySpan<byte> chunk, SniffedKind? start);

    /// <summary>The content has ended.</summary>
    void Complete();
}

/// <summary>UTF-8 without NUL, checked as it streams (a character split between chunks is carried by the decoder).</summary>
internal sealed class TextCheck(RecordType type) : IContentCheck, IDisposable
{
    private readonly Decoder _decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
    private readonly char[] _chars = new char[4096];
    private long _offset;

    public void Append(ReadOnlySpan<byte> chunk, SniffedKind? start)
    {
        var nul = chunk.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new ValidationFailedException(
                $"The file is not {type.Name}: it has a NUL byte (at byte {(_offset + nul).ToString("N0", CultureInfo.InvariantCulture)}), so it is binary content.", "File");
        }

        Decode(chunk, flush: false);
        _offset += chunk.Length;
    }

    public void Complete() => Decode([], flush: true);

    public void Dispose() => Array.Clear(_chars);

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        try
        {
            // Convert keeps an incomplete character for the next call (GetCharCount would not); the characters are
            // only a scratch buffer.
            do
            {
                _decoder.Convert(bytes, _chars, flush, out var used, out _, out _);
                bytes = bytes[used..];
            }
            while (!bytes.IsEmpty);
        }
        catch (DecoderFallbackException)
        {
            throw new ValidationFailedException($"The file is not {type.Name}: it is not valid UTF-8. Save it as UTF-8 and upload it again.", "File");
        }
    }
}

/// <summary>
/// One JSON value, read by <see cref="Utf8JsonReader"/> chunk by chunk: only a token split between chunks is carried
/// (or, with <c>keep</c>, the whole content, for <see cref="FhirCheck"/>). Larger than <c>maxBytes</c> is refused.
/// </summary>
internal sealed class JsonCheck(RecordType type, long maxBytes, bool keep) : IContentCheck, IDisposable
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 };
    private readonly TextCheck _text = new(type);
    private readonly SegmentBuffer? _kept = keep ? new SegmentBuffer() : null;
    private JsonReaderState _state = new(Options);
    private byte[] _carry = [];
    private int _carryLength;
    private long _total;
    private SniffedKind? _start;

    public SegmentBuffer? Kept => _kept;

    public void Append(ReadOnlySpan<byte> chunk, SniffedKind? start)
    {
        if (_total == 0)
        {
            _start = start;
            if (chunk.StartsWith("\uFEFF"u8))
            {
                chunk = chunk[3..]; // a UTF-8 byte order mark, which the reader does not skip
            }
        }

        _total += chunk.Length;
        if (_total > maxBytes)
        {
            throw new ValidationFailedException(RecordFiles.TooLargeForJson(maxBytes), "File");
        }

        _text.Append(chunk, start); // NUL and invalid UTF-8 get the text messages
        _kept?.Write(chunk);
        if (_carryLength == 0)
        {
            Read(chunk, final: false);
            return;
        }

        var combined = ArrayPool<byte>.Shared.Rent(_carryLength + chunk.Length);
        try
        {
            _carry.AsSpan(0, _carryLength).CopyTo(combined);
            chunk.CopyTo(combined.AsSpan(_carryLength));
            Read(combined.AsSpan(0, _carryLength + chunk.Length), final: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(combined);
            ArrayPool<byte>.Shared.Return(combined);
        }
    }

    public void Complete()
    {
        _text.Complete();
        Read(_carry.AsSpan(0, _carryLength), final: true);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_carry);
        _text.Dispose();
        _kept?.Dispose();
    }

    private void Read(ReadOnlySpan<byte> data, bool final)
    {
        var reader = new Utf8JsonReader(data, final, _state);
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new ValidationFailedException(_start is { } kind
                ? $"The file is not {type.Name}: its content is {kind.Description}."
                : $"The file is not {type.Name}: it is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}).", "File");
        }

        _state = reader.CurrentState;
        var rest = data[(int)reader.BytesConsumed..];
        if (rest.Length > _carry.Length)
        {
            CryptographicOperations.ZeroMemory(_carry);
            _carry = new byte[Math.Max(rest.Length, _carry.Length * 2)];
        }

        rest.CopyTo(_carry); // rest may overlap _carry only when it is _carry's own start (no new chunk)
        _carryLength = rest.Length;
    }
}

/// <summary>The content in 64 KiB segments (no large contiguous buffer), zeroed when disposed.</summary>
internal sealed class SegmentBuffer : IDisposable
{
    private const int SegmentSize = 64 * 1024;
    private readonly List<byte[]> _segments = [];
    private int _lastLength = SegmentSize;

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_lastLength == SegmentSize)
            {
                _segments.Add(new byte[SegmentSize]);
                _lastLength = 0;
            }

            var n = Math.Min(data.Length, SegmentSize - _lastLength);
            data[..n].CopyTo(_segments[^1].AsSpan(_lastLength));
            _lastLength += n;
            data = data[n..];
        }
    }

    public ReadOnlySequence<byte> ToSequence()
    {
        if (_segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(_segments[0].AsMemory(0, _segments.Count == 1 ? _lastLength : SegmentSize), 0);
        var last = first;
        for (var i = 1; i < _segments.Count; i++)
        {
            last = last.Append(_segments[i].AsMemory(0, i == _segments.Count - 1 ? _lastLength : SegmentSize));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public void Dispose()
    {
        foreach (var segment in _segments)
        {
            CryptographicOperations.ZeroMemory(segment);
        }

        _segments.Clear();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
