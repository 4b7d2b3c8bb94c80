namespace EhrShare.Sharing.Tests;

public sealed class ValidationTests
{
    private static readonly byte[] Secret = TestData.RandomBytes(48, 48);

    [Theory]
    [InlineData(3, 4)] // k > n
    [InlineData(3, 1)] // k < 2
    [InlineData(3, 0)]
    [InlineData(256, 3)] // n > 255
    [InlineData(1, 1)]
    public void Split_WithAnInvalidShareCountOrThreshold_Throws(int n, int k)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(Guid.NewGuid(), Secret, n, k));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(Secret, n, k, new byte[Secret.Length * 300]));
    }

    [Fact]
    public void Split_OfAnEmptySecret_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(Guid.NewGuid(), [], 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(Guid.NewGuid(), [], 3, 2, ShareField.Prime127));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.GetPayloadLength(ShareField.Gf256, 0));
    }

    [Fact]
    public void Split_WithAnUnknownField_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(Guid.NewGuid(), Secret, 3, 2, (ShareField)7));
    }

    [Fact]
    public void Split_IntoATooShortOrOverlappingBuffer_Throws()
    {
        Assert.Throws<ArgumentException>(() => Shamir.Split(Secret, 3, 2, new byte[(Secret.Length * 3) - 1]));
        var buffer = new byte[Secret.Length * 5];
        Assert.Throws<ArgumentException>(() => Shamir.Split(buffer.AsSpan(0, Secret.Length), 3, 2, buffer.AsSpan(Secret.Length - 8)));
    }

    [Fact]
    public void Combine_WithSharesOfDifferentRecords_Throws()
    {
        var a = Shamir.Split(Guid.NewGuid(), Secret, 3, 2);
        var b = Shamir.Split(Guid.NewGuid(), Secret, 3, 2);
        AssertSetError(ShareSetError.DifferentRecords, [a[0], b[1]]);
    }

    [Fact]
    public void Combine_WithSharesOfDifferentLengthsOrThresholdsOrFields_Throws()
    {
        var id = Guid.NewGuid();
        var baseShares = Shamir.Split(id, Secret, 3, 2);
        AssertSetError(ShareSetError.DifferentParameters, [baseShares[0], Shamir.Split(id, Secret.AsSpan(0, 47), 3, 2)[1]]);
        AssertSetError(ShareSetError.DifferentParameters, [baseShares[0], Shamir.Split(id, Secret, 3, 3)[1]]);
        AssertSetError(ShareSetError.DifferentParameters, [baseShares[0], Shamir.Split(id, Secret, 4, 2)[1]]);
        AssertSetError(ShareSetError.DifferentParameters, [baseShares[0], Shamir.Split(id, Secret, 3, 2, ShareField.Prime127)[1]]);
    }

    [Fact]
    public void Combine_WithADuplicateX_Throws()
    {
        var shares = Shamir.Split(Guid.NewGuid(), Secret, 3, 2);
        AssertSetError(ShareSetError.DuplicateX, [shares[1], shares[1]]);
        var other = Shamir.Split(shares[0].RecordId, Secret, 3, 2);
        AssertSetError(ShareSetError.DuplicateX, [shares[0], shares[2], other[2]]);
    }

    [Fact]
    public void Combine_WithFewerThanKShares_Throws()
    {
        var shares = Shamir.Split(Guid.NewGuid(), Secret, 5, 3);
        AssertSetError(ShareSetError.TooFewShares, [shares[0], shares[4]]);
        AssertSetError(ShareSetError.TooFewShares, []);
    }

    [Fact]
    public void Combine_WithANullShare_Throws()
    {
        var shares = Shamir.Split(Guid.NewGuid(), Secret, 3, 2);
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], null!]));
        Assert.Throws<ArgumentNullException>(() => Shamir.Combine(null!));
    }

    [Fact]
    public void Combine_IntoATooShortBuffer_Throws()
    {
        var shares = Shamir.Split(Guid.NewGuid(), Secret, 3, 2);
        Assert.Throws<ArgumentException>(() => Shamir.Combine(shares, new byte[Secret.Length - 1]));
    }

    [Fact]
    public void Combine_IntoABufferOverlappingAPayload_Throws()
    {
        var buffer = new byte[Secret.Length * 3];
        Shamir.Split(Secret, 3, 2, buffer);
        var id = Guid.NewGuid();
        Share[] shares = [new Share(id, 1, 2, 3, ShareField.Gf256, Secret.Length, buffer.AsMemory(0, Secret.Length)), new Share(id, 2, 2, 3, ShareField.Gf256, Secret.Length, buffer.AsMemory(Secret.Length, Secret.Length))];
        Assert.Throws<ArgumentException>(() => Shamir.Combine(shares, buffer.AsSpan(Secret.Length)));
    }

    [Fact]
    public void Repair_AtXZero_Throws()
    {
        var shares = Shamir.Split(Guid.NewGuid(), Secret, 3, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Repair(shares, 0));
    }

    [Fact]
    public void RepairAndRefresh_WithFewerThanKOrMixedShares_Throw()
    {
        var shares = Shamir.Split(Guid.NewGuid(), Secret, 5, 3);
        Assert.Equal(ShareSetError.TooFewShares, Assert.Throws<ShareReconstructionException>(() => Shamir.Repair([shares[0], shares[1]], 3)).Error);
        Assert.Equal(ShareSetError.TooFewShares, Assert.Throws<ShareReconstructionException>(() => Shamir.Refresh([shares[0], shares[1]])).Error);
        var other = Shamir.Split(Guid.NewGuid(), Secret, 5, 3);
        Assert.Equal(ShareSetError.DifferentRecords, Assert.Throws<ShareReconstructionException>(() => Shamir.Refresh([shares[0], shares[1], other[2]])).Error);
    }

    [Fact]
    public void ShareConstructor_WithInvalidValues_Throws()
    {
        var id = Guid.NewGuid();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Share(id, 0, 2, 3, ShareField.Gf256, 4, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Share(id, 1, 1, 3, ShareField.Gf256, 4, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Share(id, 1, 4, 3, ShareField.Gf256, 4, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Share(id, 1, 2, 256, ShareField.Gf256, 4, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Share(id, 1, 2, 3, ShareField.Gf256, 0, Array.Empty<byte>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Share(id, 1, 2, 3, (ShareField)0, 4, new byte[4]));
        Assert.Throws<ArgumentException>(() => new Share(id, 1, 2, 3, ShareField.Gf256, 4, new byte[5]));
        Assert.Throws<ArgumentException>(() => new Share(id, 1, 2, 3, ShareField.Prime127, 4, new byte[4]));
    }

    private static void AssertSetError(ShareSetError expected, Share[] shares)
    {
        var exception = Assert.Throws<ShareReconstructionException>(() => Shamir.Combine(shares));
        Assert.Equal(expected, exception.Error);
        Assert.IsAssignableFrom<SharingException>(exception);
    }
}
