using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using static EhrShare.Core.Tests.Records.Encryption.RecordTestData;

namespace EhrShare.Core.Tests.Records.Encryption;

public class RecordTamperingTests
{
    // Three full segments and a partial fourth (segments 0..3, the last one final).
    private static readonly byte[] PlaintextBytes = Plaintext((3 * Segment) + 1000);
    private readonly byte[] _key = RecordCipher.GenerateKey();
    private readonly byte[] _ciphertext;

    public RecordTamperingTests()
    {
        _ciphertext = Encrypt(PlaintextBytes, _key);
    }

    [Fact]
    public void SwappingTwoSegments_IsDetectedAtTheFirstMovedSegment()
    {
        var tampered = (byte[])_ciphertext.Clone();
        _ciphertext.AsSpan(SegmentOffset(1), SegmentOnDisk).CopyTo(tampered.AsSpan(SegmentOffset(2)));
        _ciphertext.AsSpan(SegmentOffset(2), SegmentOnDisk).CopyTo(tampered.AsSpan(SegmentOffset(1)));

        AssertRejected(tampered, RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: 1);
    }

    [Fact]
    public void DroppingTheFinalSegment_IsDetectedAsTruncation()
    {
        AssertRejected(_ciphertext[..SegmentOffset(3)], RecordIntegrityFailure.Truncated, verifiedSegments: 2);
    }

    [Fact]
    public void DroppingTheFinalSegmentOfAnExactMultipleOfSegments_IsDetectedAsTruncation()
    {
        var plaintext = Plaintext(2 * Segment);
        var ciphertext = Encrypt(plaintext, _key);
        Assert.Equal(SegmentOffset(2), ciphertext.Length);

        AssertRejected(ciphertext[..SegmentOffset(1)], RecordIntegrityFailure.Truncated, verifiedSegments: 0, plaintext);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CuttingAtAnEarlierSegmentBoundary_IsDetectedAsTruncation(int keptSegments)
    {
        AssertRejected(_ciphertext[..SegmentOffset(keptSegments)], RecordIntegrityFailure.Truncated, verifiedSegments: keptSegments - 1);
    }

    [Fact]
    public void CuttingInsideASegment_IsDetected()
    {
        var error = AssertRejected(_ciphertext[..(SegmentOffset(2) + 5000)], expected: null, verifiedSegments: 2);

        Assert.Equal(RecordIntegrityFailure.AuthenticationFailed, error.Failure);
    }

    [Fact]
    public void CuttingInsideTheFinalTag_IsDetected()
    {
        AssertRejected(_ciphertext[..^1], RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: 3);
        AssertRejected(_ciphertext[..(SegmentOffset(3) + 10)], RecordIntegrityFailure.Truncated, verifiedSegments: 3);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(Header)]
    public void ARecordWithoutAnySegment_IsDetectedAsTruncation(int length)
    {
        AssertRejected(_ciphertext[..length], RecordIntegrityFailure.Truncated, verifiedSegments: 0);
    }

    // Bytes appended after a short final segment merge into it, so its tag fails: detected, but it reads as
    // damage rather than as an extension.
    [Fact]
    public void AppendingASegment_IsDetected()
    {
        var extended = _ciphertext.Concat(_ciphertext[SegmentOffset(1)..SegmentOffset(2)]).ToArray();

        AssertRejected(extended, RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(SegmentOnDisk + 3)]
    public void AppendingGarbage_IsDetected(int garbageLength)
    {
        var extended = _ciphertext.Concat(Plaintext(garbageLength, seed: 99)).ToArray();

        AssertRejected(extended, RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: 3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AppendingAfterAFullFinalSegment_IsDetectedAsTrailingData(bool appendARealSegment)
    {
        var plaintext = Plaintext(2 * Segment);
        var ciphertext = Encrypt(plaintext, _key);
        var appended = appendARealSegment ? ciphertext[SegmentOffset(0)..SegmentOffset(1)] : [0x42];
        var extended = ciphertext.Concat(appended).ToArray();

        AssertRejected(extended, RecordIntegrityFailure.TrailingData, verifiedSegments: 1, plaintext);
    }

    [Theory]
    [InlineData(0, RecordIntegrityFailure.NotARecord)]
    [InlineData(3, RecordIntegrityFailure.NotARecord)]
    [InlineData(4, RecordIntegrityFailure.UnsupportedVersion)]
    [InlineData(8, RecordIntegrityFailure.AuthenticationFailed)] // segment size: 65536 -> 65537, still in range
    [InlineData(9, RecordIntegrityFailure.AuthenticationFailed)] // nonce prefix
    [InlineData(15, RecordIntegrityFailure.AuthenticationFailed)]
    public void FlippingABitInTheHeader_IsDetectedBeforeAnyPlaintext(int offset, RecordIntegrityFailure failure)
    {
        AssertRejected(FlipBit(_ciphertext, offset), failure, verifiedSegments: 0);
    }

    [Fact]
    public void AHeaderAnnouncingAHugeSegmentSize_IsRejectedBeforeAllocating()
    {
        var tampered = (byte[])_ciphertext.Clone();
        tampered[5] = 0x7f;

        AssertRejected(tampered, RecordIntegrityFailure.NotARecord, verifiedSegments: 0);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 12345)]
    [InlineData(3, 999)]
    public void FlippingABitInASegmentBody_IsDetectedAtThatSegment(int segment, int offsetInSegment)
    {
        AssertRejected(FlipBit(_ciphertext, SegmentOffset(segment) + offsetInSegment), RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: segment);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void FlippingABitInATag_IsDetectedAtThatSegment(int segment)
    {
        var tagOffset = SegmentOffset(segment) + Segment;

        AssertRejected(FlipBit(_ciphertext, tagOffset + 7), RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: segment);
    }

    [Fact]
    public void FlippingABitInTheFinalTag_IsDetected()
    {
        AssertRejected(FlipBit(_ciphertext, _ciphertext.Length - 1), RecordIntegrityFailure.AuthenticationFailed, verifiedSegments: 3);
    }

    [Fact]
    public void DecryptingWithAnotherKey_FailsAtTheFirstSegmentAndReleasesNothing()
    {
        var (released, error) = DecryptCollecting(_ciphertext, RecordCipher.GenerateKey());

        Assert.Empty(released);
        Assert.Equal(RecordIntegrityFailure.AuthenticationFailed, error?.Failure);
    }

    [Fact]
    public void ARecordWhosePlaintextHashDiffers_WithholdsTheFinalSegment()
    {
        var wrongHash = SHA256.HashData("something else"u8);

        var (released, error) = DecryptCollecting(_ciphertext, _key, new ExpectedPlaintext(PlaintextBytes.Length, wrongHash));

        Assert.Equal(RecordIntegrityFailure.PlaintextMismatch, error?.Failure);
        Assert.Equal(PlaintextBytes[..(3 * Segment)], released);
    }

    [Fact]
    public void ARecordLongerThanRecorded_FailsAsSoonAsItExceedsTheLength()
    {
        var expected = new ExpectedPlaintext(Segment + 10, SHA256.HashData(PlaintextBytes));

        var (released, error) = DecryptCollecting(_ciphertext, _key, expected);

        Assert.Equal(RecordIntegrityFailure.PlaintextMismatch, error?.Failure);
        Assert.Equal(PlaintextBytes[..Segment], released);
    }

    [Fact]
    public void ARecordShorterThanRecorded_FailsAtTheEnd()
    {
        var expected = new ExpectedPlaintext(PlaintextBytes.Length + 1, SHA256.HashData(PlaintextBytes));

        var (_, error) = DecryptCollecting(_ciphertext, _key, expected);

        Assert.Equal(RecordIntegrityFailure.PlaintextMismatch, error?.Failure);
    }

    [Fact]
    public void AfterAFailure_EveryLaterReadFailsToo()
    {
        using var decryptor = new RecordDecryptingStream(new MemoryStream(FlipBit(_ciphertext, SegmentOffset(1))), _key);
        var buffer = new byte[Segment];
        Assert.Equal(Segment, decryptor.ReadAtLeast(buffer, Segment));

        var first = Assert.Throws<RecordIntegrityException>(() => decryptor.Read(buffer));
        var second = Assert.Throws<RecordIntegrityException>(() => decryptor.Read(buffer));

        Assert.Same(first, second);
    }

    [Fact]
    public async Task ReadingAsynchronously_DetectsTamperingToo()
    {
        await using var decryptor = new RecordDecryptingStream(new MemoryStream(FlipBit(_ciphertext, SegmentOffset(2) + 1)), _key);

        var error = await Assert.ThrowsAsync<RecordIntegrityException>(() => decryptor.CopyToAsync(Stream.Null));

        Assert.Equal(RecordIntegrityFailure.AuthenticationFailed, error.Failure);
    }

    private RecordIntegrityException AssertRejected(
        byte[] ciphertext, RecordIntegrityFailure? expected, int verifiedSegments, byte[]? plaintext = null)
    {
        plaintext ??= PlaintextBytes;
        foreach (var chunk in new[] { 1, 4096, Segment + 3 })
        {
            var (released, error) = DecryptCollecting(ciphertext, _key, chunk: chunk);

            Assert.NotNull(error);
            if (expected is { } failure)
            {
                Assert.Equal(failure, error.Failure);
            }

            // Only whole, verified segments were released, and they are the true plaintext.
            Assert.Equal(plaintext[..Math.Min(plaintext.Length, verifiedSegments * Segment)], released);
        }

        return DecryptCollecting(ciphertext, _key).Error!;
    }

    private static byte[] FlipBit(byte[] data, int offset)
    {
        var copy = (byte[])data.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }
}
