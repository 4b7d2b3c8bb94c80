using System.Diagnostics;

namespace EhrShare.Web.Tests.Support;

/// <summary>For what happens in the background (the access-log outbox reaching the chain): poll until it holds.</summary>
public static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null)
    {
        // A bound for a busy 2-core machine, not a wait: the loop ends at the first probe that holds.
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Not within {limit.TotalSeconds} s: {what}. Last seen: {(describe is null ? value?.ToString() : describe(value))}");
            }

            await Task.Delay(250);
        }
    }
}
