using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace EhrShare.Sharing;

/// <summary>Split and interpolation over GF(2^8), one secret byte per payload byte.</summary>
internal static class Gf256Sharing
{
    /// <summary>Interpolation works on output blocks of this many bytes.</summary>
    private const int InterpolationBlockBytes = 8 * 1024;

    /// <summary>
    /// Payload i = f(xs[i]) byte by byte, f of degree k − 1 with f(0) = secret and random other coefficients.
    /// </summary>
    public static void Split(
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> xs,
        int k,
        PayloadTargets payloads,
        CoefficientSource random,
        Gf256Path path)
    {
        var length = secret.Length;
        var degree = k - 1;
        // Rows of at least 64 bytes so the widest vectors run, filling at most the scratch area.
        var block = Math.Min(length, Math.Max(64, CoefficientScratch.Length / degree & ~63));
        var coefficients = CoefficientScratch.Get()[..(block * degree)];
        try
        {
            for (var offset = 0; offset < length; offset += block)
            {
                var count = Math.Min(block, length - offset);
                var rows = coefficients[..(count * degree)];
                random.Fill(rows);
                var constant = secret.Slice(offset, count);
                Gf256Kernels.EvaluateAll(path, xs, constant, rows, count, degree, payloads, offset);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }
    }

    /// <summary>output = f(at), f being the polynomial through the first <paramref name="count"/> shares.</summary>
    [SkipLocalsInit]
    public static void Interpolate(IReadOnlyList<Share> shares, int count, byte at, Span<byte> output, Gf256Path path)
    {
        Span<byte> xs = stackalloc byte[count];
        Span<byte> lambdas = stackalloc byte[count];
        for (var i = 0; i < count; i++)
        {
            xs[i] = shares[i].X;
        }

        Gf256.LagrangeCoefficients(xs, at, lambdas);
        var length = output.Length;
        for (var offset = 0; offset < length; offset += InterpolationBlockBytes)
        {
            var blockLength = Math.Min(InterpolationBlockBytes, length - offset);
            var destination = output.Slice(offset, blockLength);
            for (var i = 0; i < count; i++)
            {
                var source = shares[i].Payload.Span.Slice(offset, blockLength);
                Gf256Kernels.Multiply(path, lambdas[i], source, destination, accumulate: i > 0);
            }
        }
    }

    /// <summary>destination += addend (XOR).</summary>
    public static void Add(ReadOnlySpan<byte> addend, Span<byte> destination) =>
        Gf256Kernels.Multiply(Gf256Kernels.Best, 1, addend, destination, accumulate: true);
}
