namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// Wraps the content of an upload: every read is progress for the <see cref="IdleWatchdog"/> (the node accepted
/// the previous bytes), and a failure of the content itself is remembered so that it is not mistaken for a
/// failure of the node. Does not dispose the wrapped stream, which belongs to the caller.
/// </summary>
internal sealed class ProgressReportingStream(Stream inner, IdleWatchdog watchdog) : ForwardReadStream
{
    public Exception? Failure { get; private set; }

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
}
