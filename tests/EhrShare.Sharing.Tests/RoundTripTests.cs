namespace EhrShare.Sharing.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<ShareField, int, int, int> Cases()
    {
        var data = new TheoryData<ShareField, int, int, int>();
        int[] sizes = [1, 2, 14, 15, 16, 17, 31, 63, 64, 65, 127, 128, 129, 300, 600, 1000, 4097];
        (int N, int K)[] shapes = [(2, 2), (3, 2), (5, 3), (5, 5), (6, 4)];
        foreach (var field in new[] { ShareField.Gf256, ShareField.Prime127 })
        {
            foreach (var size in sizes)
            {
                foreach (var (n, k) in shapes)
                {
                    data.Add(field, size, n, k);
                }
            }

            // Large secrets: one shape keeps the run short.
            data.Add(field, 65_543, 5, 3);
            data.Add(field, 1 << 20, 5, 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Combine_OfEveryKSubset_ReturnsTheSecret(ShareField field, int size, int n, int k)
    {
        var secret = TestData.RandomBytes(size, size * 31 + n);
        var recordId = Guid.NewGuid();
        var shares = Shamir.Split(recordId, secret, n, k, field);

        Assert.Equal(n, shares.Length);
        Assert.Equal(Enumerable.Range(1, n).Select(x => (byte)x), shares.Select(s => s.X));
        Assert.All(shares, s =>
        {
            Assert.Equal(recordId, s.RecordId);
            Assert.Equal((k, n, field, size), (s.K, s.N, s.Field, s.SecretLength));
            Assert.Equal(Shamir.GetPayloadLength(field, size), s.Payload.Length);
        });

        foreach (var subset in TestData.Subsets(n, k))
        {
            Assert.Equal(secret, Shamir.Combine(TestData.Pick(shares, subset)));
        }

        // Order does not matter, and extra shares beyond k are accepted.
        Assert.Equal(secret, Shamir.Combine(shares.Reverse().ToArray()));
    }

    [Theory]
    [InlineData(ShareField.Gf256)]
    [InlineData(ShareField.Prime127)]
    public void Split_IntoACallerBuffer_GivesPayloadsThatCombine(ShareField field)
    {
        var secret = TestData.RandomBytes(517, 7);
        var payloadLength = Shamir.GetPayloadLength(field, secret.Length);
        var buffer = new byte[(payloadLength * 4) + 3];
        Shamir.Split(secret, 4, 3, buffer, field);

        var recordId = Guid.NewGuid();
        var shares = Enumerable.Range(0, 4)
            .Select(i => new Share(recordId, (byte)(i + 1), 3, 4, field, secret.Length, buffer.AsMemory(i * payloadLength, payloadLength)))
            .ToArray();
        var destination = new byte[secret.Length + 10];
        var written = Shamir.Combine([shares[3], shares[1], shares[0]], destination);

        Assert.Equal(secret.Length, written);
        Assert.Equal(secret, destination[..written]);
        Assert.All(destination[written..], b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(ShareField.Gf256)]
    [InlineData(ShareField.Prime127)]
    public void Split_WithTheLargestShareCountAndThreshold_RoundTrips(ShareField field)
    {
        var secret = TestData.RandomBytes(100, 3);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 255, 255, field);
        Assert.Equal(secret, Shamir.Combine(shares));

        var some = Shamir.Split(Guid.NewGuid(), secret, 255, 2, field);
        Assert.Equal(secret, Shamir.Combine([some[254], some[100]]));
    }

    [Fact]
    public void Split_TwiceWithTheSameSecret_GivesDifferentShares()
    {
        var secret = TestData.RandomBytes(64, 1);
        var first = Shamir.Split(Guid.NewGuid(), secret, 3, 2);
        var second = Shamir.Split(Guid.NewGuid(), secret, 3, 2);
        Assert.NotEqual(first[0].Payload.ToArray(), second[0].Payload.ToArray());
    }

    [Fact]
    public void Split_WithAllZeroSecret_DoesNotLeakItInShares()
    {
        var secret = new byte[4096];
        var shares = Shamir.Split(Guid.NewGuid(), secret, 5, 3);
        Assert.All(shares, s => Assert.True(s.Payload.Span.IndexOfAnyExcept((byte)0) >= 0));
    }
}
