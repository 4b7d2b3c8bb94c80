namespace EhrShare.Sharing.Tests;

public sealed class CoefficientSourceTests
{
    [Fact]
    public void Fill_OfManySmallAndLargeRequests_NeverRepeatsABlock()
    {
        // 16-byte blocks from a CSPRNG repeat with probability ~2^-100 here; a pool handing out the same bytes
        // twice (a wrong offset after refill) would repeat them at once. 1,000 requests refill the 16 KiB pool about
        // 50 times, and mix in requests too large for it (4,112 and 20,000 bytes).
        var seen = new HashSet<UInt128>();
        var repeated = 0;
        foreach (var size in Enumerable.Range(0, 1000).Select(i => new[] { 16, 48, 4096, 4112, 20_000 }[i % 5]))
        {
            var bytes = new byte[size];
            SystemCoefficientSource.Instance.Fill(bytes);
            for (var i = 0; i + 16 <= size; i += 16)
            {
                repeated += seen.Add(BitConverter.ToUInt128(bytes, i)) ? 0 : 1;
            }
        }

        Assert.Equal(0, repeated);
        Assert.Equal(200 * (1 + 3 + 256 + 257 + 1250), seen.Count);
    }

    [Fact]
    public void Fill_FromSeveralThreadsAtOnce_NeverHandsTwoThreadsTheSameBytes()
    {
        // Each thread draws from its own pool; a pool shared by mistake (a lost [ThreadStatic]) would hand two threads
        // the same offset, and so the same block, as soon as they race.
        const int threads = 8;
        using var start = new Barrier(threads);
        var drawn = new UInt128[threads][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var blocks = new UInt128[2000];
            Span<byte> bytes = stackalloc byte[16];
            start.SignalAndWait();
            for (var i = 0; i < blocks.Length; i++)
            {
                SystemCoefficientSource.Instance.Fill(bytes);
                blocks[i] = BitConverter.ToUInt128(bytes);
            }

            drawn[t] = blocks;
        });

        var all = drawn.SelectMany(blocks => blocks).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
