using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EhrShare.Sharing;

/// <summary>An implementation of the GF(2^8) bulk kernels; all produce identical bytes.</summary>
internal enum Gf256Path
{
    /// <summary>Shift-and-xor with masks, 8 bytes per ulong; runs anywhere.</summary>
    Portable,

    /// <summary>Split-nibble tables held in registers, PSHUFB on 16 bytes.</summary>
    Ssse3,

    /// <summary>Split-nibble tables, VPSHUFB on 32 bytes.</summary>
    Avx2,

    /// <summary>Split-nibble tables, VPSHUFB on 64 bytes.</summary>
    Avx512BW,

    /// <summary>GF2P8MULB on 16 bytes.</summary>
    Gfni128,

    /// <summary>GF2P8MULB on 32 bytes.</summary>
    Gfni256,

    /// <summary>GF2P8MULB on 64 bytes.</summary>
    Gfni512,
}

/// <summary>
/// Bulk GF(2^8) work on secret data: polynomial evaluation (split, refresh) and multiply-accumulate (combine,
/// repair). Every multiplier is a public constant (an x or a Lagrange coefficient); the secret and random bytes
/// only ever meet constant-time instructions (GF2P8MULB, PSHUFB on in-register tables, shifts and masks), never
/// a branch or a memory index. A wide path does the whole vectors it can and hands the tail to the next
/// narrower path of its family, down to the portable code, so every path is total and byte-identical.
/// </summary>
internal static class Gf256Kernels
{
    /// <summary>The fastest path the machine supports.</summary>
    public static Gf256Path Best { get; } = ChooseBest();

    public static bool IsSupported(Gf256Path path) => path switch
    {
        Gf256Path.Portable => true,
        Gf256Path.Ssse3 => Ssse3.IsSupported,
        Gf256Path.Avx2 => Avx2.IsSupported,
        Gf256Path.Avx512BW => Avx512BW.IsSupported,
        Gf256Path.Gfni128 => Gfni.IsSupported,
        Gf256Path.Gfni256 => Gfni.V256.IsSupported,
        Gf256Path.Gfni512 => Gfni.V512.IsSupported,
        _ => false,
    };

    private static Gf256Path ChooseBest()
    {
        // Vector512.IsHardwareAccelerated is the runtime's judgement that 512-bit code pays on this CPU.
        if (Gfni.V512.IsSupported && Vector512.IsHardwareAccelerated)
        {
            return Gf256Path.Gfni512;
        }

        if (Gfni.V256.IsSupported)
        {
            return Gf256Path.Gfni256;
        }

        if (Avx512BW.IsSupported && Vector512.IsHardwareAccelerated)
        {
            return Gf256Path.Avx512BW;
        }

        if (Avx2.IsSupported)
        {
            return Gf256Path.Avx2;
        }

        if (Gfni.IsSupported)
        {
            return Gf256Path.Gfni128;
        }

        return Ssse3.IsSupported ? Gf256Path.Ssse3 : Gf256Path.Portable;
    }

    /// <summary>
    /// output = a_0 + a_1·x + ... + a_d·x^d per byte, by Horner's rule, where a_0 = constant and a_j (j ≥ 1) is
    /// coefficients[(j − 1)·stride ..][..output.Length].
    /// </summary>
    public static void Evaluate(
        Gf256Path path,
        byte x,
        ReadOnlySpan<byte> constant,
        ReadOnlySpan<byte> coefficients,
        int stride,
        int degree,
        Span<byte> output)
    {
        var length = output.Length;
        if (constant.Length != length || degree < 1 || stride < length
            || coefficients.Length < ((degree - 1) * stride) + length)
        {
            throw new ArgumentException("Inconsistent kernel buffer lengths.");
        }

        ThrowIfUnsupported(path);
        ref var c = ref MemoryMarshal.GetReference(constant);
        ref var a = ref MemoryMarshal.GetReference(coefficients);
        ref var o = ref MemoryMarshal.GetReference(output);
        var s = (nuint)stride;
        var done = 0;
        switch (path)
        {
            case Gf256Path.Gfni512:
                done = Evaluate<Gfni512Multiplier, Vector512<byte>>(x, ref c, ref a, s, degree, ref o, done, length);
                goto case Gf256Path.Gfni256;
            case Gf256Path.Gfni256:
                done = Evaluate<Gfni256Multiplier, Vector256<byte>>(x, ref c, ref a, s, degree, ref o, done, length);
                goto case Gf256Path.Gfni128;
            case Gf256Path.Gfni128:
                done = Evaluate<Gfni128Multiplier, Vector128<byte>>(x, ref c, ref a, s, degree, ref o, done, length);
                goto case Gf256Path.Portable;
            case Gf256Path.Avx512BW:
                done = Evaluate<Avx512Multiplier, Vector512<byte>>(x, ref c, ref a, s, degree, ref o, done, length);
                goto case Gf256Path.Avx2;
            case Gf256Path.Avx2:
                done = Evaluate<Avx2Multiplier, Vector256<byte>>(x, ref c, ref a, s, degree, ref o, done, length);
                goto case Gf256Path.Ssse3;
            case Gf256Path.Ssse3:
                done = Evaluate<Ssse3Multiplier, Vector128<byte>>(x, ref c, ref a, s, degree, ref o, done, length);
                goto case Gf256Path.Portable;
            case Gf256Path.Portable:
                done = Evaluate<SwarMultiplier, ulong>(x, ref c, ref a, s, degree, ref o, done, length);
                Evaluate<ByteMultiplier, byte>(x, ref c, ref a, s, degree, ref o, done, length);
                break;
        }
    }

    /// <summary>
    /// <see cref="Evaluate"/> at every x of <paramref name="xs"/> into <paramref name="outputs"/> (at
    /// <paramref name="outputOffset"/>), column by column: each vector of coefficients is loaded once for all x.
    /// </summary>
    public static void EvaluateAll(
        Gf256Path path,
        ReadOnlySpan<byte> xs,
        ReadOnlySpan<byte> constant,
        ReadOnlySpan<byte> coefficients,
        int stride,
        int degree,
        scoped PayloadTargets outputs,
        int outputOffset)
    {
        var length = constant.Length;
        if (degree < 1 || stride < length || coefficients.Length < ((degree - 1) * stride) + length)
        {
            throw new ArgumentException("Inconsistent kernel buffer lengths.");
        }

        for (var i = 0; i < xs.Length; i++)
        {
            // Bounds for the unchecked stores below.
            _ = outputs[i].Slice(outputOffset, length);
        }

        ThrowIfUnsupported(path);
        ref var c = ref MemoryMarshal.GetReference(constant);
        ref var a = ref MemoryMarshal.GetReference(coefficients);
        // Column by column pays only with GFNI-512 (measured): shuffle paths rebuild nibble tables per x, and at
        // 256 bits the per-x order was as fast.
        var done = path == Gf256Path.Gfni512
            ? EvaluateAll<Gfni512Multiplier, Vector512<byte>>(xs, ref c, ref a, (nuint)stride, degree, outputs, outputOffset, length)
            : 0;
        if (done < length)
        {
            for (var i = 0; i < xs.Length; i++)
            {
                var output = outputs[i].Slice(outputOffset, length);
                Evaluate(path, xs[i], constant[done..], coefficients[done..], stride, degree, output[done..]);
            }
        }
    }

    /// <summary>destination = factor·source (accumulate: false) or destination ^= factor·source (true).</summary>
    public static void Multiply(
        Gf256Path path,
        byte factor,
        ReadOnlySpan<byte> source,
        Span<byte> destination,
        bool accumulate)
    {
        var length = source.Length;
        if (destination.Length != length)
        {
            throw new ArgumentException("Inconsistent kernel buffer lengths.");
        }

        ThrowIfUnsupported(path);
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination);
        var done = 0;
        switch (path)
        {
            case Gf256Path.Gfni512:
                done = Multiply<Gfni512Multiplier, Vector512<byte>>(factor, ref s, ref d, accumulate, done, length);
                goto case Gf256Path.Gfni256;
            case Gf256Path.Gfni256:
                done = Multiply<Gfni256Multiplier, Vector256<byte>>(factor, ref s, ref d, accumulate, done, length);
                goto case Gf256Path.Gfni128;
            case Gf256Path.Gfni128:
                done = Multiply<Gfni128Multiplier, Vector128<byte>>(factor, ref s, ref d, accumulate, done, length);
                goto case Gf256Path.Portable;
            case Gf256Path.Avx512BW:
                done = Multiply<Avx512Multiplier, Vector512<byte>>(factor, ref s, ref d, accumulate, done, length);
                goto case Gf256Path.Avx2;
            case Gf256Path.Avx2:
                done = Multiply<Avx2Multiplier, Vector256<byte>>(factor, ref s, ref d, accumulate, done, length);
                goto case Gf256Path.Ssse3;
            case Gf256Path.Ssse3:
                done = Multiply<Ssse3Multiplier, Vector128<byte>>(factor, ref s, ref d, accumulate, done, length);
                goto case Gf256Path.Portable;
            case Gf256Path.Portable:
                done = Multiply<SwarMultiplier, ulong>(factor, ref s, ref d, accumulate, done, length);
                Multiply<ByteMultiplier, byte>(factor, ref s, ref d, accumulate, done, length);
                break;
        }
    }

    private static void ThrowIfUnsupported(Gf256Path path)
    {
        if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException($"The GF(2^8) path {path} is not supported on this machine.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Evaluate<TMultiplier, TVector>(
        byte x,
        ref byte constant,
        ref byte coefficients,
        nuint stride,
        int degree,
        ref byte output,
        int start,
        int end)
        where TMultiplier : struct, IGf256Multiplier<TMultiplier, TVector>
    {
        var byX = TMultiplier.Create(x);
        var width = (nuint)TMultiplier.Width;
        var offset = (nuint)start;
        var top = (nuint)(degree - 1) * stride;
        // Four independent Horner chains at a time hide the multiply latency.
        for (; offset + (4 * width) <= (nuint)end; offset += 4 * width)
        {
            var acc0 = TMultiplier.Load(ref coefficients, top + offset);
            var acc1 = TMultiplier.Load(ref coefficients, top + offset + width);
            var acc2 = TMultiplier.Load(ref coefficients, top + offset + (2 * width));
            var acc3 = TMultiplier.Load(ref coefficients, top + offset + (3 * width));
            for (var row = top; row != 0;)
            {
                row -= stride;
                acc0 = TMultiplier.Xor(byX.Multiply(acc0), TMultiplier.Load(ref coefficients, row + offset));
                acc1 = TMultiplier.Xor(byX.Multiply(acc1), TMultiplier.Load(ref coefficients, row + offset + width));
                acc2 = TMultiplier.Xor(byX.Multiply(acc2), TMultiplier.Load(ref coefficients, row + offset + (2 * width)));
                acc3 = TMultiplier.Xor(byX.Multiply(acc3), TMultiplier.Load(ref coefficients, row + offset + (3 * width)));
            }

            acc0 = TMultiplier.Xor(byX.Multiply(acc0), TMultiplier.Load(ref constant, offset));
            acc1 = TMultiplier.Xor(byX.Multiply(acc1), TMultiplier.Load(ref constant, offset + width));
            acc2 = TMultiplier.Xor(byX.Multiply(acc2), TMultiplier.Load(ref constant, offset + (2 * width)));
            acc3 = TMultiplier.Xor(byX.Multiply(acc3), TMultiplier.Load(ref constant, offset + (3 * width)));
            TMultiplier.Store(acc0, ref output, offset);
            TMultiplier.Store(acc1, ref output, offset + width);
            TMultiplier.Store(acc2, ref output, offset + (2 * width));
            TMultiplier.Store(acc3, ref output, offset + (3 * width));
        }

        for (; offset + width <= (nuint)end; offset += width)
        {
            var acc = TMultiplier.Load(ref coefficients, top + offset);
            for (var row = top; row != 0;)
            {
                row -= stride;
                acc = TMultiplier.Xor(byX.Multiply(acc), TMultiplier.Load(ref coefficients, row + offset));
            }

            acc = TMultiplier.Xor(byX.Multiply(acc), TMultiplier.Load(ref constant, offset));
            TMultiplier.Store(acc, ref output, offset);
        }

        return (int)offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EvaluateAll<TMultiplier, TVector>(
        ReadOnlySpan<byte> xs,
        ref byte constant,
        ref byte coefficients,
        nuint stride,
        int degree,
        scoped PayloadTargets outputs,
        int outputOffset,
        int length)
        where TMultiplier : struct, IGf256Multiplier<TMultiplier, TVector>
    {
        var width = (nuint)TMultiplier.Width;
        var offset = (nuint)0;
        var top = (nuint)(degree - 1) * stride;
        for (; offset + width <= (nuint)length; offset += width)
        {
            var a0 = TMultiplier.Load(ref constant, offset);
            var a1 = TMultiplier.Load(ref coefficients, offset);
            var a2 = degree >= 2 ? TMultiplier.Load(ref coefficients, stride + offset) : a1;
            var a3 = degree >= 3 ? TMultiplier.Load(ref coefficients, (2 * stride) + offset) : a1;
            for (var i = 0; i < xs.Length; i++)
            {
                var byX = TMultiplier.Create(xs[i]);
                TVector acc;
                if (degree <= 3)
                {
                    // The usual thresholds (k ≤ 4) keep the whole column in registers.
                    acc = degree switch
                    {
                        1 => a1,
                        2 => TMultiplier.Xor(byX.Multiply(a2), a1),
                        _ => TMultiplier.Xor(byX.Multiply(TMultiplier.Xor(byX.Multiply(a3), a2)), a1),
                    };
                }
                else
                {
                    // Higher degrees reload the column's coefficients, which stay in L1 across the x values.
                    acc = TMultiplier.Load(ref coefficients, top + offset);
                    for (var row = top; row != 0;)
                    {
                        row -= stride;
                        acc = TMultiplier.Xor(byX.Multiply(acc), TMultiplier.Load(ref coefficients, row + offset));
                    }
                }

                acc = TMultiplier.Xor(byX.Multiply(acc), a0);
                TMultiplier.Store(acc, ref outputs.UncheckedReference(i), (nuint)outputOffset + offset);
            }
        }

        return (int)offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Multiply<TMultiplier, TVector>(
        byte factor,
        ref byte source,
        ref byte destination,
        bool accumulate,
        int start,
        int end)
        where TMultiplier : struct, IGf256Multiplier<TMultiplier, TVector>
    {
        var by = TMultiplier.Create(factor);
        var width = (nuint)TMultiplier.Width;
        var offset = (nuint)start;
        if (accumulate)
        {
            for (; offset + width <= (nuint)end; offset += width)
            {
                var product = by.Multiply(TMultiplier.Load(ref source, offset));
                TMultiplier.Store(TMultiplier.Xor(product, TMultiplier.Load(ref destination, offset)), ref destination, offset);
            }
        }
        else
        {
            for (; offset + width <= (nuint)end; offset += width)
            {
                TMultiplier.Store(by.Multiply(TMultiplier.Load(ref source, offset)), ref destination, offset);
            }
        }

        return (int)offset;
    }
}

/// <summary>Multiplication of a vector of GF(2^8) elements by one public constant, set up once per constant.</summary>
internal interface IGf256Multiplier<TSelf, TVector>
    where TSelf : struct, IGf256Multiplier<TSelf, TVector>
{
    static abstract int Width { get; }

    static abstract TSelf Create(byte factor);

    static abstract TVector Load(ref byte source, nuint offset);

    static abstract void Store(TVector value, ref byte destination, nuint offset);

    static abstract TVector Xor(TVector left, TVector right);

    TVector Multiply(TVector value);
}

internal readonly struct ByteMultiplier : IGf256Multiplier<ByteMultiplier, byte>
{
    private readonly byte _factor;

    private ByteMultiplier(byte factor) => _factor = factor;

    public static int Width => 1;

    public static ByteMultiplier Create(byte factor) => new(factor);

    public static byte Load(ref byte source, nuint offset) => Unsafe.Add(ref source, offset);

    public static void Store(byte value, ref byte destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;

    public static byte Xor(byte left, byte right) => (byte)(left ^ right);

    public byte Multiply(byte value) => Gf256.Multiply(value, _factor);
}

/// <summary>SIMD within a register: eight bytes per ulong, xtime with masks, the factor's bits as masks.</summary>
internal readonly struct SwarMultiplier : IGf256Multiplier<SwarMultiplier, ulong>
{
    private const ulong High = 0x8080808080808080;
    private const ulong Low = 0x7F7F7F7F7F7F7F7F;
    private readonly byte _factor;

    private SwarMultiplier(byte factor) => _factor = factor;

    public static int Width => sizeof(ulong);

    public static SwarMultiplier Create(byte factor) => new(factor);

    public static ulong Load(ref byte source, nuint offset) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, offset));

    public static void Store(ulong value, ref byte destination, nuint offset) =>
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, offset), value);

    public static ulong Xor(ulong left, ulong right) => left ^ right;

    public ulong Multiply(ulong value)
    {
        ulong product = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            product ^= value & (0UL - (ulong)((_factor >> bit) & 1));
            // Per byte: shift left, and where the top bit fell out XOR 0x1B (the low byte of 0x11B).
            value = ((value & Low) << 1) ^ (((value & High) >> 7) * 0x1B);
        }

        return product;
    }
}

/// <summary>
/// Split-nibble tables: c·v = T_lo[v &amp; 15] ^ T_hi[v &gt;&gt; 4], each 16-entry table held in a register and
/// indexed with PSHUFB, so the secret bytes never form a memory address.
/// </summary>
internal readonly struct NibbleTables
{
    public readonly Vector128<byte> Low;
    public readonly Vector128<byte> High;

    public NibbleTables(byte factor)
    {
        Span<byte> low = stackalloc byte[16];
        Span<byte> high = stackalloc byte[16];
        for (var v = 0; v < 16; v++)
        {
            low[v] = Gf256.Multiply(factor, (byte)v);
            high[v] = Gf256.Multiply(factor, (byte)(v << 4));
        }

        Low = Vector128.Create((ReadOnlySpan<byte>)low);
        High = Vector128.Create((ReadOnlySpan<byte>)high);
    }
}

internal readonly struct Ssse3Multiplier : IGf256Multiplier<Ssse3Multiplier, Vector128<byte>>
{
    private readonly Vector128<byte> _low;
    private readonly Vector128<byte> _high;

    private Ssse3Multiplier(NibbleTables tables)
    {
        _low = tables.Low;
        _high = tables.High;
    }

    public static int Width => Vector128<byte>.Count;

    public static Ssse3Multiplier Create(byte factor) => new(new NibbleTables(factor));

    public static Vector128<byte> Load(ref byte source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    public static void Store(Vector128<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    public static Vector128<byte> Xor(Vector128<byte> left, Vector128<byte> right) => left ^ right;

    public Vector128<byte> Multiply(Vector128<byte> value)
    {
        var mask = Vector128.Create((byte)0x0F);
        var low = value & mask;
        var high = Vector128.ShiftRightLogical(value.AsUInt16(), 4).AsByte() & mask;
        return Ssse3.Shuffle(_low, low) ^ Ssse3.Shuffle(_high, high);
    }
}

internal readonly struct Avx2Multiplier : IGf256Multiplier<Avx2Multiplier, Vector256<byte>>
{
    private readonly Vector256<byte> _low;
    private readonly Vector256<byte> _high;

    private Avx2Multiplier(NibbleTables tables)
    {
        // VPSHUFB looks up within each 128-bit lane, so every lane carries the whole table.
        _low = Vector256.Create(tables.Low, tables.Low);
        _high = Vector256.Create(tables.High, tables.High);
    }

    public static int Width => Vector256<byte>.Count;

    public static Avx2Multiplier Create(byte factor) => new(new NibbleTables(factor));

    public static Vector256<byte> Load(ref byte source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    public static void Store(Vector256<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    public static Vector256<byte> Xor(Vector256<byte> left, Vector256<byte> right) => left ^ right;

    public Vector256<byte> Multiply(Vector256<byte> value)
    {
        var mask = Vector256.Create((byte)0x0F);
        var low = value & mask;
        var high = Vector256.ShiftRightLogical(value.AsUInt16(), 4).AsByte() & mask;
        return Avx2.Shuffle(_low, low) ^ Avx2.Shuffle(_high, high);
    }
}

internal readonly struct Avx512Multiplier : IGf256Multiplier<Avx512Multiplier, Vector512<byte>>
{
    private readonly Vector512<byte> _low;
    private readonly Vector512<byte> _high;

    private Avx512Multiplier(NibbleTables tables)
    {
        var low = Vector256.Create(tables.Low, tables.Low);
        var high = Vector256.Create(tables.High, tables.High);
        _low = Vector512.Create(low, low);
        _high = Vector512.Create(high, high);
    }

    public static int Width => Vector512<byte>.Count;

    public static Avx512Multiplier Create(byte factor) => new(new NibbleTables(factor));

    public static Vector512<byte> Load(ref byte source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    public static void Store(Vector512<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    public static Vector512<byte> Xor(Vector512<byte> left, Vector512<byte> right) => left ^ right;

    public Vector512<byte> Multiply(Vector512<byte> value)
    {
        var mask = Vector512.Create((byte)0x0F);
        var low = value & mask;
        var high = Vector512.ShiftRightLogical(value.AsUInt16(), 4).AsByte() & mask;
        return Avx512BW.Shuffle(_low, low) ^ Avx512BW.Shuffle(_high, high);
    }
}

/// <summary>GF2P8MULB multiplies in GF(2^8) modulo 0x11B, exactly our field.</summary>
internal readonly struct Gfni128Multiplier : IGf256Multiplier<Gfni128Multiplier, Vector128<byte>>
{
    private readonly Vector128<byte> _factor;

    private Gfni128Multiplier(byte factor) => _factor = Vector128.Create(factor);

    public static int Width => Vector128<byte>.Count;

    public static Gfni128Multiplier Create(byte factor) => new(factor);

    public static Vector128<byte> Load(ref byte source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    public static void Store(Vector128<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    public static Vector128<byte> Xor(Vector128<byte> left, Vector128<byte> right) => left ^ right;

    public Vector128<byte> Multiply(Vector128<byte> value) => Gfni.GaloisFieldMultiply(value, _factor);
}

internal readonly struct Gfni256Multiplier : IGf256Multiplier<Gfni256Multiplier, Vector256<byte>>
{
    private readonly Vector256<byte> _factor;

    private Gfni256Multiplier(byte factor) => _factor = Vector256.Create(factor);

    public static int Width => Vector256<byte>.Count;

    public static Gfni256Multiplier Create(byte factor) => new(factor);

    public static Vector256<byte> Load(ref byte source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    public static void Store(Vector256<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    public static Vector256<byte> Xor(Vector256<byte> left, Vector256<byte> right) => left ^ right;

    public Vector256<byte> Multiply(Vector256<byte> value) => Gfni.V256.GaloisFieldMultiply(value, _factor);
}

internal readonly struct Gfni512Multiplier : IGf256Multiplier<Gfni512Multiplier, Vector512<byte>>
{
    private readonly Vector512<byte> _factor;

    private Gfni512Multiplier(byte factor) => _factor = Vector512.Create(factor);

    public static int Width => Vector512<byte>.Count;

    public static Gfni512Multiplier Create(byte factor) => new(factor);

    public static Vector512<byte> Load(ref byte source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    public static void Store(Vector512<byte> value, ref byte destination, nuint offset) =>
        value.StoreUnsafe(ref destination, offset);

    public static Vector512<byte> Xor(Vector512<byte> left, Vector512<byte> right) => left ^ right;

    public Vector512<byte> Multiply(Vector512<byte> value) => Gfni.V512.GaloisFieldMultiply(value, _factor);
}
