namespace EhrShare.Sharing.Tests;

public sealed class CoefficientSourceTests
{
    [Fact]
    public void Fill_OfManySmallAndLargeRequests_NeverRepeatsABlock()
    {
        // 16-byte blocks from a CSPRNG repeat with probability ~2^-100 here; a pool handing out the same bytes
        // twice (a wrong offset after refill) would repeat them at once.
        var seen = new HashSet<UInt128>();
        foreach (var size in Enumerable.Range(0, 3000).Select(i => new[] { 16, 48, 4096, 4112, 20_000 }[i % 5]))
        {
            var bytes = new byte[size];
            SystemCoefficientSource.Instance.Fill(bytes);
            for (var i = 0; i + 16 <= size; i += 16)
            {
                Assert.True(seen.Add(BitConverter.ToUInt128(bytes, i)));
            }
        }
    }

    [Fact]
    public void Fill_OfAnEmptyRequest_DoesNothing()
    {
        SystemCoefficientSource.Instance.Fill([]);
    }
}
