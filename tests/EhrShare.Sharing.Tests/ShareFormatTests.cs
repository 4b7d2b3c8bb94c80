using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace EhrShare.Sharing.Tests;

public sealed class ShareFormatTests
{
    private static readonly Guid RecordId = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");

    [Theory]
    [InlineData(ShareField.Gf256, 1)]
    [InlineData(ShareField.Gf256, 500)]
    [InlineData(ShareField.Prime127, 1)]
    [InlineData(ShareField.Prime127, 31)]
    public void Parse_OfToBytes_GivesTheSameShare(ShareField field, int length)
    {
        var shares = Shamir.Split(RecordId, TestData.RandomBytes(length, length), 5, 3, field);
        foreach (var share in shares)
        {
            var bytes = share.ToBytes();
            Assert.Equal(share.SerializedLength, bytes.Length);
            Assert.Equal(Share.GetSerializedLength(field, length), bytes.Length);

            var parsed = Share.Parse(bytes);
            Assert.Equal((share.RecordId, share.X, share.K, share.N, share.Field, share.SecretLength), (parsed.RecordId, parsed.X, parsed.K, parsed.N, parsed.Field, parsed.SecretLength));
            Assert.Equal(share.Payload.ToArray(), parsed.Payload.ToArray());
            Assert.True(Share.TryParse(bytes, out var again));
            Assert.Equal(share.X, again.X);
        }
    }

    [Fact]
    public void ToBytes_LaysOutTheHeaderAsDocumented()
    {
        var share = new Share(RecordId, 7, 3, 9, ShareField.Prime127, 16, new byte[32]);
        var bytes = share.ToBytes();

        Assert.Equal("EHSS"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 1, 2, 7, 3, 9, 0, 0, 0, 0, 0, 0, 16 }, bytes[4..16]);
        Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff"), bytes[16..32]);
        Assert.Equal(SHA256.HashData(bytes.AsSpan(0, 64))[..8], bytes[64..]);
        Assert.Equal(72, bytes.Length);
    }

    [Fact]
    public void WriteTo_ASpan_WritesTheSameBytesAsToBytes()
    {
        var share = Shamir.Split(RecordId, TestData.RandomBytes(40, 1), 2, 2)[1];
        var buffer = new byte[share.SerializedLength + 5];
        Assert.Equal(share.SerializedLength, share.WriteTo(buffer));
        Assert.Equal(share.ToBytes(), buffer[..share.SerializedLength]);
        Assert.False(share.TryWriteTo(buffer.AsSpan(0, share.SerializedLength - 1), out var written));
        Assert.Equal(0, written);
        Assert.Throws<ArgumentException>(() => share.WriteTo(new byte[10]));
    }

    [Fact]
    public void Parse_WithAFlippedPayloadBit_ThrowsChecksumMismatch()
    {
        var bytes = SampleBytes();
        bytes[40] ^= 0x01;
        AssertFormatError(ShareFormatError.ChecksumMismatch, bytes);
    }

    [Fact]
    public void Parse_WithACorruptedHeaderOrChecksum_ThrowsChecksumMismatch()
    {
        foreach (var offset in new[] { 6, 7, 8, 20, 31, 45 })
        {
            var bytes = SampleBytes();
            bytes[offset] ^= 0x10;
            AssertFormatError(ShareFormatError.ChecksumMismatch, bytes);
        }

        var changedChecksum = SampleBytes();
        changedChecksum[^1] ^= 0x80;
        AssertFormatError(ShareFormatError.ChecksumMismatch, changedChecksum);
    }

    [Fact]
    public void Parse_OfAnotherVersion_ThrowsUnsupportedVersion()
    {
        var bytes = SampleBytes();
        bytes[4] = 2;
        AssertFormatError(ShareFormatError.UnsupportedVersion, bytes);
    }

    [Fact]
    public void Parse_WithAnUnknownField_ThrowsUnknownField()
    {
        var bytes = SampleBytes();
        bytes[5] = 9;
        AssertFormatError(ShareFormatError.UnknownField, bytes);
    }

    [Fact]
    public void Parse_WithoutTheMagic_ThrowsBadMagic()
    {
        var bytes = SampleBytes();
        bytes[0] = (byte)'X';
        AssertFormatError(ShareFormatError.BadMagic, bytes);
    }

    [Fact]
    public void Parse_OfTruncatedData_ThrowsTruncated()
    {
        var bytes = SampleBytes();
        AssertFormatError(ShareFormatError.Truncated, bytes[..^1]);
        AssertFormatError(ShareFormatError.Truncated, bytes[..39]);
        AssertFormatError(ShareFormatError.Truncated, []);
    }

    [Fact]
    public void Parse_WithBytesAfterTheShare_ThrowsTrailingBytes()
    {
        AssertFormatError(ShareFormatError.TrailingBytes, [.. SampleBytes(), 0]);
    }

    [Fact]
    public void Parse_OfAZeroOrHugeSecretLength_ThrowsInvalidHeader()
    {
        var bytes = SampleBytes();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), 0);
        AssertFormatError(ShareFormatError.InvalidHeader, bytes);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), uint.MaxValue);
        AssertFormatError(ShareFormatError.InvalidHeader, bytes);
    }

    [Theory]
    [InlineData(6, 0)] // x = 0
    [InlineData(7, 1)] // k = 1
    [InlineData(7, 6)] // k > n (n = 5)
    [InlineData(10, 1)] // reserved byte set
    public void Parse_OfAnInvalidHeaderWithAValidChecksum_ThrowsInvalidHeader(int offset, byte value)
    {
        var bytes = SampleBytes();
        bytes[offset] = value;
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 8))[..8].CopyTo(bytes.AsSpan(bytes.Length - 8));
        AssertFormatError(ShareFormatError.InvalidHeader, bytes);
    }

    [Theory]
    [InlineData("7fffffffffffffffffffffffffffffff")] // p
    [InlineData("80000000000000000000000000000000")] // p + 1 = 2^127
    [InlineData("ffffffffffffffffffffffffffffffff")] // 2^128 - 1
    public void Parse_OfAPrimeFieldElementOfPOrAbove_WithAValidChecksum_ThrowsNonCanonicalElement(string element)
    {
        var bytes = PrimeShareWithSecondElement(Convert.FromHexString(element));
        AssertFormatError(ShareFormatError.NonCanonicalElement, bytes);
    }

    [Fact]
    public void Parse_OfAPrimeFieldElementOfPMinusOne_IsAccepted()
    {
        var bytes = PrimeShareWithSecondElement(Convert.FromHexString("7ffffffffffffffffffffffffffffffe"));
        Assert.True(Share.TryParse(bytes, out var share));
        Assert.Equal(0xFE, share!.Payload.Span[31]);
    }

    /// <summary>A 20-byte secret's prime-field share (two elements) whose second element is replaced, checksum redone.</summary>
    private static byte[] PrimeShareWithSecondElement(byte[] element)
    {
        var bytes = Shamir.Split(RecordId, TestData.RandomBytes(20, 21), 5, 3, ShareField.Prime127)[0].ToBytes();
        element.CopyTo(bytes.AsSpan(32 + 16));
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 8))[..8].CopyTo(bytes.AsSpan(bytes.Length - 8));
        return bytes;
    }

    [Fact]
    public void ToString_ShowsMetadataButNotThePayload()
    {
        var share = new Share(RecordId, 1, 2, 2, ShareField.Gf256, 4, new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
        var text = share.ToString();
        Assert.Contains(RecordId.ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain("DEAD", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("222", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Rebuilds secrets from serialised shares with nothing but docs/share-format.md: its offsets, its field
    /// definitions, textbook arithmetic and BigInteger. If this passes, the document is precise enough.
    /// </summary>
    [Theory]
    [InlineData(ShareField.Gf256, 1)]
    [InlineData(ShareField.Gf256, 333)]
    [InlineData(ShareField.Prime127, 1)]
    [InlineData(ShareField.Prime127, 15)]
    [InlineData(ShareField.Prime127, 46)]
    public void AnIndependentDecoderFollowingTheDocument_RecoversTheSecret(ShareField field, int length)
    {
        var secret = TestData.RandomBytes(length, length * 7);
        var stored = Shamir.Split(RecordId, secret, 6, 4, field).Select(s => s.ToBytes()).ToArray();
        Assert.Equal(secret, IndependentDecoder.Decode([stored[5], stored[1], stored[2], stored[4]]));
    }

    private static byte[] SampleBytes() => Shamir.Split(RecordId, TestData.RandomBytes(20, 20), 5, 3)[0].ToBytes();

    private static void AssertFormatError(ShareFormatError expected, byte[] bytes)
    {
        var exception = Assert.Throws<ShareFormatException>(() => Share.Parse(bytes));
        Assert.Equal(expected, exception.Error);
        Assert.IsAssignableFrom<SharingException>(exception);
        Assert.False(Share.TryParse(bytes, out var share));
        Assert.Null(share);
    }

    private static class IndependentDecoder
    {
        private static readonly BigInteger P = (BigInteger.One << 127) - 1;

        public static byte[] Decode(byte[][] shares)
        {
            var field = shares[0][5];
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(shares[0].AsSpan(12));
            var xs = shares.Select(s => s[6]).ToArray();
            var payloads = shares.Select(s =>
            {
                Assert.Equal("EHSS"u8.ToArray(), s[..4]);
                Assert.Equal(1, s[4]);
                Assert.Equal(SHA256.HashData(s.AsSpan(0, s.Length - 8))[..8], s[^8..]);
                return s[32..^8];
            }).ToArray();
            return field == 1 ? DecodeGf256(xs, payloads, length) : DecodePrime(xs, payloads, length);
        }

        private static byte[] DecodeGf256(byte[] xs, byte[][] payloads, int length)
        {
            var secret = new byte[length];
            for (var i = 0; i < xs.Length; i++)
            {
                byte lambda = 1;
                for (var j = 0; j < xs.Length; j++)
                {
                    if (j != i)
                    {
                        lambda = Mul(lambda, Div(xs[j], (byte)(xs[j] ^ xs[i])));
                    }
                }

                for (var b = 0; b < length; b++)
                {
                    secret[b] ^= Mul(payloads[i][b], lambda);
                }
            }

            return secret;
        }

        private static byte[] DecodePrime(byte[] xs, byte[][] payloads, int length)
        {
            var secret = new byte[length];
            var chunks = (length + 14) / 15;
            for (var c = 0; c < chunks; c++)
            {
                var sum = BigInteger.Zero;
                for (var i = 0; i < xs.Length; i++)
                {
                    var y = new BigInteger(payloads[i].AsSpan(c * 16, 16), isUnsigned: true, isBigEndian: true);
                    BigInteger numerator = 1, denominator = 1;
                    for (var j = 0; j < xs.Length; j++)
                    {
                        if (j != i)
                        {
                            numerator *= xs[j];
                            denominator *= xs[j] - xs[i];
                        }
                    }

                    var lambda = numerator * BigInteger.ModPow((denominator % P + P) % P, P - 2, P);
                    sum = (sum + (y * lambda)) % P;
                }

                var bytes = sum.ToByteArray(isUnsigned: true, isBigEndian: true);
                var chunk = new byte[15];
                bytes.CopyTo(chunk, 15 - bytes.Length);
                var take = Math.Min(15, length - (c * 15));
                chunk.AsSpan(0, take).CopyTo(secret.AsSpan(c * 15));
            }

            return secret;
        }

        private static byte Mul(byte a, byte b)
        {
            var result = 0;
            for (int x = a, y = b; y != 0; y >>= 1)
            {
                if ((y & 1) != 0)
                {
                    result ^= x;
                }

                x = (x & 0x80) != 0 ? (x << 1) ^ 0x11B : x << 1;
            }

            return (byte)result;
        }

        private static byte Div(byte a, byte b)
        {
            // a / b = a · b^254.
            byte inverse = 1;
            for (var i = 0; i < 254; i++)
            {
                inverse = Mul(inverse, b);
            }

            return Mul(a, inverse);
        }
    }
}
