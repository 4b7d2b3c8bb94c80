using System.Buffers.Binary;

namespace EhrShare.Sharing;

/// <summary>
/// An element of the prime field of p = 2^127 − 1, as two 64-bit limbs, always canonical (0 ≤ value &lt; p).
/// Every operation is branch-free on the values: carries come from bit formulas and reduction uses
/// 2^127 ≡ 1 (mod p), so folding the bits above 127 onto the low ones reduces without a division.
/// </summary>
internal readonly struct Fp127
{
    /// <summary>The low 63 bits set: the high limb of p.</summary>
    private const ulong High63 = 0x7FFF_FFFF_FFFF_FFFF;

    public readonly ulong Low;
    public readonly ulong High;

    private Fp127(ulong low, ulong high)
    {
        Low = low;
        High = high;
    }

    public static Fp127 Zero => default;

    public static Fp127 One => new(1, 0);

    /// <summary>A small integer, 0 ≤ value &lt; 2^64.</summary>
    public static Fp127 FromUInt64(ulong value) => new(value, 0);

    /// <summary>Any 128-bit big-endian value, reduced mod p.</summary>
    public static Fp127 ReadBigEndian(ReadOnlySpan<byte> source) =>
        Reduce(BinaryPrimitives.ReadUInt64BigEndian(source[8..]), BinaryPrimitives.ReadUInt64BigEndian(source));

    /// <summary>
    /// 16 uniformly random bytes to a field element: the top bit is dropped and the one value equal to p maps to 0,
    /// so 0 is twice as likely as any other element (a statistical distance of 2^-127 from uniform).
    /// </summary>
    public static Fp127 FromRandom(ReadOnlySpan<byte> random16) =>
        Reduce(BinaryPrimitives.ReadUInt64LittleEndian(random16), BinaryPrimitives.ReadUInt64LittleEndian(random16[8..]) & High63);

    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public static Fp127 Add(Fp127 a, Fp127 b)
    {
        // a + b < 2^128, so the sum fits two limbs.
        var low = AddWithCarry(a.Low, b.Low, 0, out var carry);
        var high = a.High + b.High + carry;
        return Reduce(low, high);
    }

    /// <summary>a − b = a + (p − b); p − b is a plain bit complement within 127 bits.</summary>
    public static Fp127 Subtract(Fp127 a, Fp127 b) => Add(a, Reduce(~b.Low, High63 & ~b.High));

    /// <summary>a · m + c for a small public m (an x coordinate): one Horner step, with a single reduction.</summary>
    public static Fp127 MultiplySmallAdd(Fp127 a, byte m, Fp127 c)
    {
        var h0 = Math.BigMul(a.Low, m, out var r0);
        var h1 = Math.BigMul(a.High, m, out var l1);
        var r1 = AddWithCarry(h0, l1, 0, out var carry);
        var r2 = h1 + carry;
        r0 = AddWithCarry(r0, c.Low, 0, out carry);
        r1 = AddWithCarry(r1, c.High, carry, out carry);
        r2 += carry;
        // value = r2·2^128 + r1·2^64 + r0 < 2^136; fold everything from bit 127 up onto the low 127 bits.
        var foldLow = (r1 >> 63) | (r2 << 1);
        var low = AddWithCarry(r0, foldLow, 0, out carry);
        var high = (r1 & High63) + carry;
        return Reduce(low, high);
    }

    /// <summary>a · m for a small public m.</summary>
    public static Fp127 MultiplySmall(Fp127 a, byte m) => MultiplySmallAdd(a, m, Zero);

    public static Fp127 Multiply(Fp127 a, Fp127 b)
    {
        // Schoolbook 2x2 limbs into a 254-bit product r3:r2:r1:r0.
        var h00 = Math.BigMul(a.Low, b.Low, out var r0);
        var h01 = Math.BigMul(a.Low, b.High, out var l01);
        var h10 = Math.BigMul(a.High, b.Low, out var l10);
        var h11 = Math.BigMul(a.High, b.High, out var l11);

        var r1 = AddWithCarry(h00, l01, 0, out var c1);
        r1 = AddWithCarry(r1, l10, 0, out var c2);
        var r2 = AddWithCarry(h01, h10, 0, out var c3);
        r2 = AddWithCarry(r2, l11, 0, out var c4);
        r2 = AddWithCarry(r2, c1 + c2, 0, out var c5);
        var r3 = h11 + c3 + c4 + c5;

        // value = high·2^127 + low ≡ high + low, with low the bottom 127 bits and high the rest (< 2^127).
        var highLow = (r1 >> 63) | (r2 << 1);
        var highHigh = (r2 >> 63) | (r3 << 1);
        var low = AddWithCarry(r0, highLow, 0, out var carry);
        var high = (r1 & High63) + highHigh + carry;
        return Reduce(low, high);
    }

    /// <summary>a^(p−2) = a^-1 for a ≠ 0. Used only on public values (Lagrange denominators).</summary>
    public static Fp127 Inverse(Fp127 a)
    {
        // p − 2 = 2^127 − 3: bits 126..2 set, bit 1 clear, bit 0 set.
        var result = One;
        for (var bit = 126; bit >= 0; bit--)
        {
            result = Multiply(result, result);
            if (bit != 1)
            {
                result = Multiply(result, a);
            }
        }

        return result;
    }

    public bool Equals(Fp127 other) => Low == other.Low && High == other.High;

    /// <summary>Any value below 2^128 (two limbs) to its canonical residue.</summary>
    private static Fp127 Reduce(ulong low, ulong high)
    {
        // Fold bit 127 onto bit 0 twice: the first leaves a value ≤ 2^127, the second one ≤ p.
        for (var fold = 0; fold < 2; fold++)
        {
            low = AddWithCarry(low, high >> 63, 0, out var carry);
            high = (high & High63) + carry;
        }

        // Now value ≤ p, and value = p must become 0: value + 1 reaches bit 127 exactly when value = p.
        _ = AddWithCarry(low, 1, 0, out var c);
        var isP = ((high + c) >> 63) & 1;
        low = AddWithCarry(low, isP, 0, out c);
        high = (high + c) & High63;
        return new Fp127(low, high);
    }

    private static ulong AddWithCarry(ulong a, ulong b, ulong carryIn, out ulong carryOut)
    {
        var sum = a + b + carryIn;
        // The carry out of bit 63 is the majority of a, b and the carry into bit 63 (= ~sum where a and b differ).
        carryOut = ((a & b) | ((a | b) & ~sum)) >> 63;
        return sum;
    }
}
