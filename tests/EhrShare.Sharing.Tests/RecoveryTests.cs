using System.Security.Cryptography;

namespace EhrShare.Sharing.Tests;

public sealed class RecoveryTests
{
    [Theory]
    [InlineData(ShareField.Gf256)]
    [InlineData(ShareField.Prime127)]
    public void TryRecover_WithOneTamperedShare_ReturnsTheSecretAndNamesTheBadShare(ShareField field)
    {
        var secret = TestData.RandomBytes(400, 1);
        var hash = SHA256.HashData(secret);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 5, 3, field);
        var tampered = Tamper(shares[1]);
        Share[] stored = [shares[0], tampered, shares[2], shares[3], shares[4]];

        Assert.True(Shamir.TryRecover(stored, s => SHA256.HashData(s).AsSpan().SequenceEqual(hash), out var recovery));

        Assert.Equal(secret, recovery.Secret);
        Assert.Equal([tampered], recovery.BadShares);
        Assert.DoesNotContain(tampered, recovery.UsedShares);
        Assert.Equal(3, recovery.UsedShares.Count);
    }

    [Fact]
    public void TryRecover_WithAStaleShareFromBeforeARefresh_NamesIt()
    {
        var secret = TestData.RandomBytes(64, 2);
        var old = Shamir.Split(Guid.NewGuid(), secret, 4, 2);
        var fresh = Shamir.Refresh(old);
        Share[] stored = [old[0], fresh[1], fresh[2], fresh[3]];

        Assert.True(Shamir.TryRecover(stored, s => s.SequenceEqual(secret), out var recovery));

        Assert.Equal(secret, recovery.Secret);
        Assert.Equal([old[0]], recovery.BadShares);
    }

    [Fact]
    public void TryRecover_WithAllSharesGood_ReportsNoBadShareAndUsesTheFirstK()
    {
        var secret = TestData.RandomBytes(10, 3);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 4, 2);
        Assert.True(Shamir.TryRecover(shares, s => s.SequenceEqual(secret), out var recovery));
        Assert.Empty(recovery.BadShares);
        Assert.Equal([shares[0], shares[1]], recovery.UsedShares);
    }

    [Fact]
    public void TryRecover_WhenKEqualsNAndOneShareIsBad_Fails()
    {
        var secret = TestData.RandomBytes(32, 4);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 3, 3);
        Share[] stored = [shares[0], Tamper(shares[1]), shares[2]];
        Assert.False(Shamir.TryRecover(stored, s => s.SequenceEqual(secret), out var recovery));
        Assert.Null(recovery);
    }

    [Fact]
    public void TryRecover_WithFewerThanKShares_Throws()
    {
        var shares = Shamir.Split(Guid.NewGuid(), TestData.RandomBytes(8, 5), 3, 3);
        var exception = Assert.Throws<ShareReconstructionException>(() => Shamir.TryRecover(shares[..2], _ => true, out _));
        Assert.Equal(ShareSetError.TooFewShares, exception.Error);
    }

    private static Share Tamper(Share share)
    {
        var payload = share.Payload.ToArray();
        payload[payload.Length / 2] ^= 0x5A;
        return new Share(share.RecordId, share.X, share.K, share.N, share.Field, share.SecretLength, payload);
    }
}
