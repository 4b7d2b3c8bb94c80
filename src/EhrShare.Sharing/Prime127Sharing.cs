using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EhrShare.Sharing;

/// <summary>
/// Split and interpolation over the prime field of p = 2^127 − 1. The secret is cut into 15-byte chunks, each a
/// big-endian integer below 2^120 &lt; p (the last chunk padded with zero bytes at its end); each share element
/// is the 16-byte big-endian residue f(x) mod p.
/// </summary>
internal static class Prime127Sharing
{
    public const int ChunkLength = 15;
    public const int ElementLength = 16;

    private const int InterpolationBlockElements = 256;

    public static int PayloadLength(int secretLength) => (secretLength + ChunkLength - 1) / ChunkLength * ElementLength;

    /// <summary>
    /// Whether every 16-byte element is below p, i.e. in the one encoding of its residue. Looks at every element
    /// without a branch on their values (a share is secret), and answers once at the end.
    /// </summary>
    public static bool AllBelowPrime(ReadOnlySpan<byte> payload)
    {
        ulong bad = 0;
        for (var at = 0; at + ElementLength <= payload.Length; at += ElementLength)
        {
            var high = BinaryPrimitives.ReadUInt64BigEndian(payload[at..]);
            var low = BinaryPrimitives.ReadUInt64BigEndian(payload[(at + 8)..]);
            bad |= high >> 63; // 2^127 or above
            var fromP = (high ^ 0x7FFF_FFFF_FFFF_FFFFUL) | ~low; // zero exactly when the element is p
            bad |= ((fromP | (0UL - fromP)) >> 63) ^ 1;
        }

        return bad == 0;
    }

    [SkipLocalsInit]
    public static void Split(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> xs, int k, PayloadTargets payloads, CoefficientSource random)
    {
        var elements = (secret.Length + ChunkLength - 1) / ChunkLength;
        var degree = k - 1;
        var perElement = degree * ElementLength;
        var blockElements = Math.Clamp(CoefficientScratch.Length / perElement, 1, elements);
        var randomBytes = CoefficientScratch.Get()[..(blockElements * perElement)];
        Span<Fp127> coefficients = stackalloc Fp127[degree];
        Span<byte> chunk = stackalloc byte[ElementLength];
        try
        {
            for (var first = 0; first < elements; first += blockElements)
            {
                var count = Math.Min(blockElements, elements - first);
                var block = randomBytes[..(count * perElement)];
                random.Fill(block);
                for (var e = 0; e < count; e++)
                {
                    var element = first + e;
                    for (var j = 0; j < degree; j++)
                    {
                        coefficients[j] = Fp127.FromRandom(block.Slice((e * degree + j) * ElementLength, ElementLength));
                    }

                    var constant = LoadChunk(secret, element, chunk);
                    for (var i = 0; i < xs.Length; i++)
                    {
                        var x = xs[i];
                        var acc = coefficients[degree - 1];
                        for (var j = degree - 2; j >= 0; j--)
                        {
                            acc = Fp127.MultiplySmallAdd(acc, x, coefficients[j]);
                        }

                        acc = Fp127.MultiplySmallAdd(acc, x, constant);
                        acc.WriteBigEndian(payloads[i].Slice(element * ElementLength, ElementLength));
                    }
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(randomBytes);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(coefficients));
            CryptographicOperations.ZeroMemory(chunk);
        }
    }

    /// <summary>
    /// f(at) for f through the first <paramref name="count"/> shares: as share elements (16 bytes each) or, when
    /// <paramref name="asSecret"/>, as secret bytes (15 per element, <paramref name="output"/> being the secret).
    /// </summary>
    [SkipLocalsInit]
    public static void Interpolate(IReadOnlyList<Share> shares, int count, byte at, Span<byte> output, bool asSecret)
    {
        Span<byte> xs = stackalloc byte[count];
        for (var i = 0; i < count; i++)
        {
            xs[i] = shares[i].X;
        }

        Span<Fp127> lambdas = stackalloc Fp127[count];
        LagrangeCoefficients(xs, at, lambdas);

        var secretLength = shares[0].SecretLength;
        var elements = (secretLength + ChunkLength - 1) / ChunkLength;
        Span<Fp127> sums = stackalloc Fp127[InterpolationBlockElements];
        Span<byte> bytes = stackalloc byte[ElementLength];
        try
        {
            for (var first = 0; first < elements; first += InterpolationBlockElements)
            {
                var blockCount = Math.Min(InterpolationBlockElements, elements - first);
                var block = sums[..blockCount];
                block.Clear();
                for (var i = 0; i < count; i++)
                {
                    var lambda = lambdas[i];
                    var payload = shares[i].Payload.Span.Slice(first * ElementLength, blockCount * ElementLength);
                    for (var e = 0; e < blockCount; e++)
                    {
                        // Parsing refused elements of p or above (ShareFormatError.NonCanonicalElement).
                        var y = Fp127.ReadBigEndian(payload.Slice(e * ElementLength, ElementLength));
                        block[e] = Fp127.Add(block[e], Fp127.Multiply(lambda, y));
                    }
                }

                for (var e = 0; e < blockCount; e++)
                {
                    var element = first + e;
                    if (asSecret)
                    {
                        // The low 120 bits are the chunk; a wrong share set leaves higher bits the hash check catches.
                        block[e].WriteBigEndian(bytes);
                        var start = element * ChunkLength;
                        var take = Math.Min(ChunkLength, secretLength - start);
                        bytes.Slice(1, take).CopyTo(output.Slice(start, take));
                    }
                    else
                    {
                        block[e].WriteBigEndian(output.Slice(element * ElementLength, ElementLength));
                    }
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(sums));
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>destination = destination + addend, element-wise mod p (both share payloads).</summary>
    public static void Add(ReadOnlySpan<byte> addend, Span<byte> destination)
    {
        for (var offset = 0; offset < destination.Length; offset += ElementLength)
        {
            var sum = Fp127.Add(
                Fp127.ReadBigEndian(destination.Slice(offset, ElementLength)),
                Fp127.ReadBigEndian(addend.Slice(offset, ElementLength)));
            sum.WriteBigEndian(destination.Slice(offset, ElementLength));
        }
    }

    /// <summary>λ_i = Π_{j≠i} (at − x_j) / (x_i − x_j) mod p, with one inversion for all denominators.</summary>
    public static void LagrangeCoefficients(ReadOnlySpan<byte> xs, byte at, Span<Fp127> lambdas)
    {
        var count = xs.Length;
        Span<Fp127> denominators = stackalloc Fp127[count];
        var product = Fp127.One;
        for (var i = 0; i < count; i++)
        {
            var numerator = Fp127.One;
            var denominator = Fp127.One;
            for (var j = 0; j < count; j++)
            {
                if (j != i)
                {
                    numerator = Fp127.Multiply(numerator, Fp127.Subtract(Fp127.FromUInt64(at), Fp127.FromUInt64(xs[j])));
                    denominator = Fp127.Multiply(denominator, Fp127.Subtract(Fp127.FromUInt64(xs[i]), Fp127.FromUInt64(xs[j])));
                }
            }

            lambdas[i] = numerator;
            denominators[i] = denominator;
            product = Fp127.Multiply(product, denominator);
        }

        // 1/d_i = (Π_{j≠i} d_j) / (Π_j d_j): walk back with the running inverse of the prefix product.
        var inverse = Fp127.Inverse(product);
        for (var i = count - 1; i >= 0; i--)
        {
            var prefix = Fp127.One;
            for (var j = 0; j < i; j++)
            {
                prefix = Fp127.Multiply(prefix, denominators[j]);
            }

            lambdas[i] = Fp127.Multiply(lambdas[i], Fp127.Multiply(inverse, prefix));
            inverse = Fp127.Multiply(inverse, denominators[i]);
        }
    }

    private static Fp127 LoadChunk(ReadOnlySpan<byte> secret, int element, Span<byte> chunk)
    {
        var start = element * ChunkLength;
        var take = Math.Min(ChunkLength, secret.Length - start);
        chunk.Clear();
        secret.Slice(start, take).CopyTo(chunk[1..]);
        return Fp127.ReadBigEndian(chunk);
    }
}
