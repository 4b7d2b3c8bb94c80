namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// Wraps the content of an upload: every read is progress for the <see cref="IdleWatchdog"/> (the node accepted
/// the previous bytes), and a failure of the content itself is remembered so that it is not mistaken for a
/// failure of the node. Does not dispose the wrapped stream, which belongs to the caller.
/// </summary>
internal sealed class ProgressReportingStream(Stream inner, IdleWatchdog watchdog) : Stream
{
    public Exception? Failure { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            var n = inner.Read(buffer);
            watchdog.Progress();
            return n;
        }
        catch (Exception e)
        {
            Failure ??= e;
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Time spent producing the content (e.g. a slow uploader) is not the node's idleness.
        watchdog.Pause();
        try
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return n;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failure ??= e;
            throw;
        }
        finally
        {
            watchdog.Progress();
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
