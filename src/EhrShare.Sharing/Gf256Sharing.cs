using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace EhrShare.Sharing;

/// <summary>Split and interpolation over GF(2^8), one secret byte per payload byte.</summary>
internal static class Gf256Sharing
{
    /// <summary>Coefficients are drawn and used in blocks of about this many bytes, so they stay in L1 cache.</summary>
    private const int CoefficientBlockBytes = 32 * 1024;

    /// <summary>Interpolation works on output blocks of this many bytes.</summary>
    private const int InterpolationBlockBytes = 8 * 1024;

    /// <summary>
    /// Payload i = f(xs[i]) byte by byte, f of degree k − 1 with f(0) = secret and random other coefficients.
    /// </summary>
    [SkipLocalsInit]
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
        // At least 64 bytes per row so the widest vectors run; at most the secret.
        var block = Math.Min(length, Math.Max(64, CoefficientBlockBytes / degree & ~63));
        Span<byte> coefficients = stackalloc byte[block * degree];
        try
        {
            for (var offset = 0; offset < length; offset += block)
            {
                var count = Math.Min(block, length - offset);
                var rows = coefficients[..(count * degree)];
                random.Fill(rows);
                var constant = secret.Slice(offset, count);
                for (var i = 0; i < xs.Length; i++)
                {
                    Gf256Kernels.Evaluate(path, xs[i], constant, rows, count, degree, payloads[i].Slice(offset, count));
                }
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
