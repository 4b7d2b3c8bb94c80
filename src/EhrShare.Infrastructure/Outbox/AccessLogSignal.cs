using System.Threading.Channels;
using EhrShare.Core.Access;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// <see cref="IAccessLogSignal"/>: wakes the access-log dispatcher so a new entry goes out at once instead of at the
/// next poll. Saving an <see cref="AccessLogEntry"/> through the app's DbContext also signals it by itself (an EF Core
/// interceptor, after the commit when inside a transaction). Many signals before the dispatcher wakes count as one.
/// </summary>
public sealed class AccessLogSignal : IAccessLogSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Returns when signalled or after <paramref name="timeout"/>, whichever comes first.</summary>
    internal async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout > TimeSpan.Zero)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                await _channel.Reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timed out: time to poll.
            }
        }

        _channel.Reader.TryRead(out _);
    }
}
