namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// A cancellation token that fires when no progress has been reported for a while: limits how long a streaming
/// call may stall without limiting how long it may take.
/// </summary>
internal sealed class IdleWatchdog : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeSpan _idleTimeout;

    public IdleWatchdog(TimeSpan idleTimeout)
    {
        _idleTimeout = idleTimeout;
        _cts.CancelAfter(idleTimeout);
    }

    public CancellationToken Token => _cts.Token;

    public bool Fired => _cts.IsCancellationRequested;

    /// <summary>Something moved: the countdown starts again.</summary>
    public void Progress() => Restart(_idleTimeout);

    /// <summary>Waiting on someone other than the node (e.g. the consumer of a download): no countdown.</summary>
    public void Pause() => Restart(Timeout.InfiniteTimeSpan);

    private void Restart(TimeSpan delay)
    {
        try
        {
            if (!_cts.IsCancellationRequested)
            {
                _cts.CancelAfter(delay);
            }
        }
        catch (ObjectDisposedException)
        {
            // The call is over; nothing to watch.
        }
    }

    public void Dispose() => _cts.Dispose();
}
