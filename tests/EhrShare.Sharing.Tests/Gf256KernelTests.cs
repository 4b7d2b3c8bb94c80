using Xunit.Abstractions;

namespace EhrShare.Sharing.Tests;

public sealed class Gf256KernelTests(ITestOutputHelper output)
{
    private static readonly int[] Lengths = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 1000, 4099];

    [Fact]
    public void Multiply_MatchesTheFips197Example_AndATextbookMultiplication()
    {
        // FIPS-197 section 4.2: {57} • {83} = {c1}.
        Assert.Equal(0xC1, Gf256.Multiply(0x57, 0x83));
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(TextbookMultiply((byte)a, (byte)b), Gf256.Multiply((byte)a, (byte)b));
            }
        }
    }

    [Fact]
    public void Inverse_TimesTheElement_IsOne()
    {
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, Gf256.Multiply((byte)a, Gf256.Inverse((byte)a)));
        }
    }

    [Fact]
    public void Best_IsSupported_AndUsesGfniWhenTheMachineHasIt()
    {
        Assert.True(Gf256Kernels.IsSupported(Gf256Kernels.Best));
        if (System.Runtime.Intrinsics.X86.Gfni.V256.IsSupported)
        {
            Assert.True(Gf256Kernels.Best is Gf256Path.Gfni256 or Gf256Path.Gfni512);
        }

        output.WriteLine($"Best path on this machine: {Gf256Kernels.Best}");
    }

    [Theory]
    [MemberData(nameof(PathSupport.AllPaths), MemberType = typeof(PathSupport))]
    public void Evaluate_OnEveryPath_MatchesThePortablePath(string pathName)
    {
        var path = Enum.Parse<Gf256Path>(pathName);
        if (!PathSupport.CanRun(path, output))
        {
            return;
        }

        foreach (var length in Lengths)
        {
            foreach (var degree in new[] { 1, 2, 6, 20 })
            {
                var stride = length + 5;
                var constant = TestData.RandomBytes(length, length);
                var coefficients = TestData.RandomBytes(stride * degree, length + degree);
                foreach (var x in new byte[] { 1, 2, 3, 0x53, 0xCA, 255 })
                {
                    var expected = new byte[length];
                    var actual = new byte[length];
                    Gf256Kernels.Evaluate(Gf256Path.Portable, x, constant, coefficients, stride, degree, expected);
                    Gf256Kernels.Evaluate(path, x, constant, coefficients, stride, degree, actual);
                    Assert.Equal(expected, actual);
                    Assert.Equal(NaiveEvaluate(x, constant, coefficients, stride, degree), expected);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathSupport.AllPaths), MemberType = typeof(PathSupport))]
    public void Multiply_OnEveryPath_MatchesTheScalarMultiplication(string pathName)
    {
        var path = Enum.Parse<Gf256Path>(pathName);
        if (!PathSupport.CanRun(path, output))
        {
            return;
        }

        foreach (var length in Lengths)
        {
            var source = TestData.RandomBytes(length, length);
            var start = TestData.RandomBytes(length, ~length);
            for (var factor = 0; factor < 256; factor += 17)
            {
                var product = new byte[length];
                Gf256Kernels.Multiply(path, (byte)factor, source, product, accumulate: false);
                var accumulated = (byte[])start.Clone();
                Gf256Kernels.Multiply(path, (byte)factor, source, accumulated, accumulate: true);
                for (var i = 0; i < length; i++)
                {
                    var expected = Gf256.Multiply(source[i], (byte)factor);
                    Assert.Equal(expected, product[i]);
                    Assert.Equal((byte)(expected ^ start[i]), accumulated[i]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathSupport.AllPaths), MemberType = typeof(PathSupport))]
    public void Split_OnEveryPath_GivesTheSameSharesAsThePortablePath(string pathName)
    {
        var path = Enum.Parse<Gf256Path>(pathName);
        if (!PathSupport.CanRun(path, output))
        {
            return;
        }

        foreach (var length in new[] { 1, 64, 1000, 70_000 })
        {
            // k = 2..4 keep a column in registers on the column-wise path; k = 7 reloads it.
            foreach (var k in new[] { 2, 3, 4, 7 })
            {
                var secret = TestData.RandomBytes(length, length);
                var portable = Shamir.Split(Guid.NewGuid(), secret, 7, k, ShareField.Gf256, new SeededCoefficientSource(length), Gf256Path.Portable);
                var simd = Shamir.Split(Guid.NewGuid(), secret, 7, k, ShareField.Gf256, new SeededCoefficientSource(length), path);
                for (var i = 0; i < portable.Length; i++)
                {
                    Assert.Equal(portable[i].Payload.ToArray(), simd[i].Payload.ToArray());
                }
            }
        }
    }

    [Fact]
    public void SharesFromAnyPath_CombineOnEveryOtherPath()
    {
        var paths = Enum.GetValues<Gf256Path>().Where(p => PathSupport.CanRun(p, output)).ToArray();
        var secret = TestData.RandomBytes(5000, 1);
        foreach (var splitPath in paths)
        {
            var shares = Shamir.Split(Guid.NewGuid(), secret, 5, 3, ShareField.Gf256, SystemCoefficientSource.Instance, splitPath);
            foreach (var combinePath in paths)
            {
                var rebuilt = new byte[secret.Length];
                Shamir.Combine([shares[4], shares[0], shares[2]], rebuilt, combinePath);
                Assert.Equal(secret, rebuilt);
                var repaired = Shamir.Repair([shares[1], shares[3], shares[4]], 1, combinePath);
                Assert.Equal(shares[0].Payload.ToArray(), repaired.Payload.ToArray());
            }
        }
    }

    [Fact]
    public void Evaluate_WithInconsistentLengths_Throws()
    {
        var buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => Gf256Kernels.Evaluate(Gf256Path.Portable, 1, buffer, buffer.AsSpan(0, 10), 64, 1, buffer));
    }

    private static byte TextbookMultiply(byte a, byte b)
    {
        var product = 0;
        int x = a;
        for (int y = b; y != 0; y >>= 1)
        {
            if ((y & 1) != 0)
            {
                product ^= x;
            }

            x <<= 1;
            if ((x & 0x100) != 0)
            {
                x ^= 0x11B;
            }
        }

        return (byte)product;
    }

    private static byte[] NaiveEvaluate(byte x, byte[] constant, byte[] coefficients, int stride, int degree)
    {
        var result = new byte[constant.Length];
        for (var i = 0; i < constant.Length; i++)
        {
            var value = constant[i];
            byte power = 1;
            for (var j = 1; j <= degree; j++)
            {
                power = TextbookMultiply(power, x);
                value ^= TextbookMultiply(coefficients[((j - 1) * stride) + i], power);
            }

            result[i] = value;
        }

        return result;
    }
}
