using System.Numerics;

namespace EhrShare.Sharing.Tests;

public sealed class Fp127Tests
{
    private static readonly BigInteger P = (BigInteger.One << 127) - 1;

    [Fact]
    public void Arithmetic_MatchesBigInteger_OnRandomAndEdgeValues()
    {
        var random = new Random(127);
        var values = new List<BigInteger> { 0, 1, 2, P - 1, P - 2, ulong.MaxValue, (BigInteger)ulong.MaxValue + 1, BigInteger.One << 126, (BigInteger.One << 126) - 1 };
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            values.Add(new BigInteger(bytes, isUnsigned: true, isBigEndian: true) % P);
        }

        foreach (var a in values)
        {
            var fa = ToField(a);
            foreach (var b in values.Take(40))
            {
                var fb = ToField(b);
                Assert.Equal((a + b) % P, FromField(Fp127.Add(fa, fb)));
                Assert.Equal(((a - b) % P + P) % P, FromField(Fp127.Subtract(fa, fb)));
                Assert.Equal(a * b % P, FromField(Fp127.Multiply(fa, fb)));
            }

            foreach (var m in new byte[] { 0, 1, 2, 3, 200, 255 })
            {
                Assert.Equal(a * m % P, FromField(Fp127.MultiplySmall(fa, m)));
                Assert.Equal(((a * m) + (P - 1)) % P, FromField(Fp127.MultiplySmallAdd(fa, m, ToField(P - 1))));
            }
        }
    }

    [Fact]
    public void ReadBigEndian_ReducesEveryValueBelow2To128()
    {
        foreach (var value in new[] { P, P + 1, (BigInteger.One << 128) - 1, BigInteger.One << 127, P - 1 })
        {
            var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            var padded = new byte[16];
            bytes.CopyTo(padded, 16 - bytes.Length);
            Assert.Equal(value % P, FromField(Fp127.ReadBigEndian(padded)));
        }
    }

    [Fact]
    public void FromRandom_MapsEveryInputBelowP()
    {
        var allOnes = Enumerable.Repeat((byte)0xFF, 16).ToArray();
        Assert.Equal(BigInteger.Zero, FromField(Fp127.FromRandom(allOnes)));
        var random = new Random(5);
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            Assert.True(FromField(Fp127.FromRandom(bytes)) < P);
        }
    }

    [Fact]
    public void Inverse_TimesTheElement_IsOne()
    {
        foreach (var a in new BigInteger[] { 1, 2, 3, 255, P - 1, BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture) })
        {
            Assert.Equal(BigInteger.One, FromField(Fp127.Multiply(ToField(a), Fp127.Inverse(ToField(a)))));
        }
    }

    [Fact]
    public void LagrangeCoefficients_InterpolateAPolynomialAtAnyPoint()
    {
        byte[] xs = [3, 7, 200, 1];
        BigInteger[] coefficients = [12345, P - 5, 42, BigInteger.One << 100];
        BigInteger F(BigInteger x) => coefficients.Select((c, j) => c * BigInteger.ModPow(x, j, P)).Aggregate(BigInteger.Zero, (s, t) => (s + t) % P);

        foreach (var at in new byte[] { 0, 9, 200 })
        {
            var lambdas = new Fp127[xs.Length];
            Prime127Sharing.LagrangeCoefficients(xs, at, lambdas);
            var sum = BigInteger.Zero;
            for (var i = 0; i < xs.Length; i++)
            {
                sum += FromField(lambdas[i]) * F(xs[i]);
            }

            Assert.Equal(F(at), sum % P);
        }
    }

    private static Fp127 ToField(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[16];
        bytes.CopyTo(padded, 16 - bytes.Length);
        return Fp127.ReadBigEndian(padded);
    }

    private static BigInteger FromField(Fp127 value)
    {
        var bytes = new byte[16];
        value.WriteBigEndian(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }
}
