using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace EhrShare.Sharing.Tests;

/// <summary>Deterministic coefficients, so that different kernel paths can be fed identical polynomials.</summary>
internal sealed class SeededCoefficientSource(int seed) : CoefficientSource
{
    private readonly Random _random = new(seed);

    public override void Fill(Span<byte> destination) => _random.NextBytes(destination);
}

/// <summary>
/// A deliberately broken source of the kind real implementations have shipped: it never yields a zero byte
/// (as if "making sure the polynomial has full degree"), which biases what k − 1 shares reveal.
/// </summary>
internal sealed class NeverZeroCoefficientSource : CoefficientSource
{
    public override void Fill(Span<byte> destination)
    {
        RandomNumberGenerator.Fill(destination);
        for (var i = 0; i < destination.Length; i++)
        {
            if (destination[i] == 0)
            {
                destination[i] = (byte)(1 + RandomNumberGenerator.GetInt32(255));
            }
        }
    }
}

internal static class TestData
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Every subset of {0..n-1} of size k, as index lists.</summary>
    public static IEnumerable<int[]> Subsets(int n, int k)
    {
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) == k)
            {
                var subset = new int[k];
                var next = 0;
                for (var i = 0; i < n; i++)
                {
                    if ((mask & (1 << i)) != 0)
                    {
                        subset[next++] = i;
                    }
                }

                yield return subset;
            }
        }
    }

    public static Share[] Pick(Share[] shares, int[] indexes) => Array.ConvertAll(indexes, i => shares[i]);
}

/// <summary>
/// Decides whether a kernel path can run here. A path is skipped only when the instruction set it needs is truly
/// absent, which the check asserts against the hardware flags directly and reports in the test output.
/// </summary>
internal static class PathSupport
{
    public static TheoryData<string> AllPaths => new(Enum.GetNames<Gf256Path>());

    public static bool CanRun(Gf256Path path, ITestOutputHelper output)
    {
        var hardware = path switch
        {
            Gf256Path.Portable => true,
            Gf256Path.Ssse3 => Ssse3.IsSupported,
            Gf256Path.Avx2 => Avx2.IsSupported,
            Gf256Path.Avx512BW => Avx512BW.IsSupported,
            Gf256Path.Gfni128 => Gfni.IsSupported,
            Gf256Path.Gfni256 => Gfni.V256.IsSupported && Avx.IsSupported,
            Gf256Path.Gfni512 => Gfni.V512.IsSupported && Avx512BW.IsSupported,
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };
        Assert.Equal(hardware, Gf256Kernels.IsSupported(path));
        if (!hardware)
        {
            output.WriteLine($"SKIPPED: {path} needs an instruction set this machine lacks (Vector512 accelerated: {Vector512.IsHardwareAccelerated}).");
        }

        return hardware;
    }
}
