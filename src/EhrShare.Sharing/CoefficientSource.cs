using System.Security.Cryptography;

namespace EhrShare.Sharing;

/// <summary>Where the random polynomial coefficients come from. Tests substitute fixed or broken sources.</summary>
internal abstract class CoefficientSource
{
    public abstract void Fill(Span<byte> destination);
}

/// <summary>
/// The system CSPRNG (<see cref="RandomNumberGenerator"/>). A call costs about 0.75 µs however small the request,
/// so requests up to <see cref="SmallRequest"/> bytes are served from a per-thread block refilled 16 KiB at a time;
/// bytes are wiped as they are handed out, so a later memory dump shows no coefficient already used.
/// See docs/decisions/coefficient-randomness.md.
/// </summary>
internal sealed class SystemCoefficientSource : CoefficientSource
{
    public const int SmallRequest = 4096;
    private const int PoolLength = 16 * 1024;

    [ThreadStatic]
    private static byte[]? t_pool;

    [ThreadStatic]
    private static int t_next;

    private SystemCoefficientSource()
    {
    }

    public static SystemCoefficientSource Instance { get; } = new();

    public override void Fill(Span<byte> destination)
    {
        if (destination.Length > SmallRequest)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var pool = t_pool;
        if (pool is null || PoolLength - t_next < destination.Length)
        {
            // Pinned so the garbage collector never leaves copies of unused random bytes behind when compacting.
            pool ??= t_pool = GC.AllocateUninitializedArray<byte>(PoolLength, pinned: true);
            RandomNumberGenerator.Fill(pool);
            t_next = 0;
        }

        var taken = pool.AsSpan(t_next, destination.Length);
        taken.CopyTo(destination);
        CryptographicOperations.ZeroMemory(taken);
        t_next += destination.Length;
    }
}

/// <summary>
/// A per-thread, pinned 64 KiB work area for random coefficients: large enough to draw from the CSPRNG in
/// efficient chunks, small enough to stay in L2 cache, never moved by the garbage collector. Whoever uses it
/// wipes what they used before returning; the split code is not re-entrant, so one buffer per thread suffices.
/// </summary>
internal static class CoefficientScratch
{
    public const int Length = 64 * 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    public static Span<byte> Get() => t_buffer ??= GC.AllocateUninitializedArray<byte>(Length, pinned: true);
}
