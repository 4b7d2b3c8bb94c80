namespace EhrShare.Sharing;

/// <summary>
/// Scalar GF(2^8) arithmetic over x^8 + x^4 + x^3 + x + 1 (0x11B), the polynomial of AES, HashiCorp Vault and
/// the GF2P8MULB instruction. No tables and no branches on the operands: the same code serves secret bytes
/// (kernel tails) and public ones (Lagrange coefficients).
/// </summary>
internal static class Gf256
{
    public static byte Multiply(byte a, byte b)
    {
        uint product = 0;
        uint shifted = a;
        uint multiplier = b;
        for (var bit = 0; bit < 8; bit++)
        {
            product ^= shifted & (0u - (multiplier & 1));
            multiplier >>= 1;
            // xtime: multiply by x, reducing when the top bit falls out.
            shifted = (shifted << 1) ^ (0x11Bu & (0u - (shifted >> 7)));
        }

        return (byte)product;
    }

    /// <summary>a^-1 = a^254 (Fermat); the caller guarantees a ≠ 0 (0 maps to 0).</summary>
    public static byte Inverse(byte a)
    {
        // 254 = 0b11111110: square-and-multiply over its bits, top bit first.
        byte result = 1;
        for (var bit = 7; bit >= 0; bit--)
        {
            result = Multiply(result, result);
            if (((254 >> bit) & 1) != 0)
            {
                result = Multiply(result, a);
            }
        }

        return result;
    }

    /// <summary>
    /// λ_i such that f(at) = Σ λ_i f(xs[i]) for any polynomial f of degree &lt; xs.Length:
    /// λ_i = Π_{j≠i} (at − x_j) / (x_i − x_j), with − being XOR in characteristic 2. The x values are public.
    /// </summary>
    public static void LagrangeCoefficients(ReadOnlySpan<byte> xs, byte at, Span<byte> lambdas)
    {
        for (var i = 0; i < xs.Length; i++)
        {
            byte numerator = 1;
            byte denominator = 1;
            for (var j = 0; j < xs.Length; j++)
            {
                if (j != i)
                {
                    numerator = Multiply(numerator, (byte)(at ^ xs[j]));
                    denominator = Multiply(denominator, (byte)(xs[i] ^ xs[j]));
                }
            }

            lambdas[i] = Multiply(numerator, Inverse(denominator));
        }
    }
}
