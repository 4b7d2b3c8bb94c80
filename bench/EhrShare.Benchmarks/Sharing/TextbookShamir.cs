using System.Security.Cryptography;

namespace EhrShare.Benchmarks.Sharing;

/// <summary>
/// The baseline: Shamir over GF(2^8) as textbooks and most libraries write it, one byte at a time with log/exp
/// tables and zero checks (neither constant-time nor vectorised). Coefficients from RandomNumberGenerator.
/// </summary>
internal static class TextbookShamir
{
    private static readonly byte[] Exp = new byte[510];
    private static readonly byte[] Log = new byte[256];

#pragma warning disable CA1810 // The tables are built once, in order; a static constructor says so plainly.
    static TextbookShamir()
#pragma warning restore CA1810
    {
        var value = 1;
        for (var i = 0; i < 255; i++)
        {
            Exp[i] = Exp[i + 255] = (byte)value;
            Log[value] = (byte)i;
            // Multiply by the generator 3 = x + 1, reducing by 0x11B.
            value ^= value << 1;
            if ((value & 0x100) != 0)
            {
                value ^= 0x11B;
            }
        }
    }

    public static byte Multiply(byte a, byte b) => a == 0 || b == 0 ? (byte)0 : Exp[Log[a] + Log[b]];

    public static byte Divide(byte a, byte b) => a == 0 ? (byte)0 : Exp[Log[a] + 255 - Log[b]];

    /// <summary>Payload i (x = i + 1) at payloads[i·L ..]; <paramref name="coefficients"/> is (k − 1)·L scratch.</summary>
    public static void Split(ReadOnlySpan<byte> secret, int n, int k, byte[] coefficients, Span<byte> payloads)
    {
        var length = secret.Length;
        RandomNumberGenerator.Fill(coefficients.AsSpan(0, (k - 1) * length));
        for (var b = 0; b < length; b++)
        {
            for (var i = 0; i < n; i++)
            {
                var x = (byte)(i + 1);
                var acc = coefficients[((k - 2) * length) + b];
                for (var j = k - 3; j >= 0; j--)
                {
                    acc = (byte)(Multiply(acc, x) ^ coefficients[(j * length) + b]);
                }

                payloads[(i * length) + b] = (byte)(Multiply(acc, x) ^ secret[b]);
            }
        }
    }

    public static void Combine(byte[] xs, byte[][] payloads, Span<byte> secret)
    {
        Span<byte> lambdas = stackalloc byte[xs.Length];
        for (var i = 0; i < xs.Length; i++)
        {
            byte lambda = 1;
            for (var j = 0; j < xs.Length; j++)
            {
                if (j != i)
                {
                    lambda = Multiply(lambda, Divide(xs[j], (byte)(xs[j] ^ xs[i])));
                }
            }

            lambdas[i] = lambda;
        }

        for (var b = 0; b < secret.Length; b++)
        {
            byte sum = 0;
            for (var i = 0; i < xs.Length; i++)
            {
                sum ^= Multiply(lambdas[i], payloads[i][b]);
            }

            secret[b] = sum;
        }
    }
}
