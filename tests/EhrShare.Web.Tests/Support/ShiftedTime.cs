namespace EhrShare.Web.Tests.Support;

/// <summary>
/// The system clock moved by an offset the test sets: the app's "now" jumps (a token or a grant can expire without
/// waiting) while its timers and delays keep real time, so background work goes on as usual.
/// </summary>
public sealed class ShiftedTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
