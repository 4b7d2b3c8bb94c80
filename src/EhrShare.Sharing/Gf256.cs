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
    /// λ_i = Π_{j≠i} (at − x_j) / (x_i − x_j), with − being XOR in characteristic 2. The x values are public, so
    /// log/exp tables are fine here (they would not be on secret bytes).
    /// </summary>
    public static void LagrangeCoefficients(ReadOnlySpan<byte> xs, byte at, Span<byte> lambdas)
    {
        var logs = Tables.Log;
        var exps = Tables.Exp;
        for (var i = 0; i < xs.Length; i++)
        {
            // Sum logarithms of the numerator factors minus those of the denominator, modulo 255.
            var exponent = 0;
            var zero = false;
            for (var j = 0; j < xs.Length; j++)
            {
                if (j != i)
                {
                    var numerator = (byte)(at ^ xs[j]);
                    zero |= numerator == 0;
                    exponent += logs[numerator] + 255 - logs[xs[i] ^ xs[j]];
                }
            }

            lambdas[i] = zero ? (byte)0 : exps[exponent % 255];
        }
    }

    /// <summary>Powers of the generator 3 (exp) and their inverse (log; log 0 is unused and left 0).</summary>
    private static class Tables
    {
        public static readonly byte[] Exp = BuildExp();
        public static readonly byte[] Log = BuildLog(Exp);

        private static byte[] BuildExp()
        {
            var exp = new byte[255];
            byte value = 1;
            for (var i = 0; i < 255; i++)
            {
                exp[i] = value;
                value = Multiply(value, 3);
            }

            return exp;
        }

        private static byte[] BuildLog(byte[] exp)
        {
            var log = new byte[256];
            for (var i = 0; i < 255; i++)
            {
                log[exp[i]] = (byte)i;
            }

            return log;
        }
    }
}
