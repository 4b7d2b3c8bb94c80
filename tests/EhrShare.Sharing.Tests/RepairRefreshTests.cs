namespace EhrShare.Sharing.Tests;

public sealed class RepairRefreshTests
{
    [Theory]
    [InlineData(ShareField.Gf256, 1)]
    [InlineData(ShareField.Gf256, 600)]
    [InlineData(ShareField.Prime127, 1)]
    [InlineData(ShareField.Prime127, 600)]
    public void Repair_FromKGoodShares_RecomputesTheLostShareExactly(ShareField field, int length)
    {
        var secret = TestData.RandomBytes(length, length);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 5, 3, field);

        var repaired = Shamir.Repair([shares[4], shares[0], shares[3]], 2);

        Assert.Equal((shares[1].RecordId, (byte)2, 3, 5, field, length), (repaired.RecordId, repaired.X, repaired.K, repaired.N, repaired.Field, repaired.SecretLength));
        Assert.Equal(shares[1].Payload.ToArray(), repaired.Payload.ToArray());
        Assert.Equal(secret, Shamir.Combine([repaired, shares[2], shares[4]]));
    }

    [Theory]
    [InlineData(ShareField.Gf256)]
    [InlineData(ShareField.Prime127)]
    public void Repair_AtANewX_GivesAShareThatCombinesWithTheOthers(ShareField field)
    {
        var secret = TestData.RandomBytes(77, 1);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 4, 3, field);
        var extra = Shamir.Repair(shares, 200);
        Assert.Equal(200, extra.X);
        Assert.Equal(secret, Shamir.Combine([extra, shares[3], shares[1]]));
    }

    [Theory]
    [InlineData(ShareField.Gf256)]
    [InlineData(ShareField.Prime127)]
    public void Refresh_GivesNewSharesAtTheSameXThatRebuildTheSecret(ShareField field)
    {
        var secret = TestData.RandomBytes(300, 2);
        var old = Shamir.Split(Guid.NewGuid(), secret, 5, 3, field);

        var fresh = Shamir.Refresh(old);

        Assert.Equal(old.Select(s => s.X), fresh.Select(s => s.X));
        Assert.All(fresh.Zip(old), pair =>
        {
            Assert.Equal((pair.Second.RecordId, pair.Second.K, pair.Second.N, pair.Second.Field), (pair.First.RecordId, pair.First.K, pair.First.N, pair.First.Field));
            Assert.NotEqual(pair.Second.Payload.ToArray(), pair.First.Payload.ToArray());
        });
        foreach (var subset in TestData.Subsets(5, 3))
        {
            Assert.Equal(secret, Shamir.Combine(TestData.Pick(fresh, subset)));
        }
    }

    [Theory]
    [InlineData(ShareField.Gf256)]
    [InlineData(ShareField.Prime127)]
    public void Combine_OfOldAndRefreshedSharesMixed_DoesNotGiveTheSecret(ShareField field)
    {
        var secret = TestData.RandomBytes(300, 3);
        var old = Shamir.Split(Guid.NewGuid(), secret, 5, 3, field);
        var fresh = Shamir.Refresh(old);

        foreach (var subset in TestData.Subsets(5, 3))
        {
            // Any mix of the two generations: the first share old, the others new, and the reverse.
            Share[] mixed = [old[subset[0]], fresh[subset[1]], fresh[subset[2]]];
            Assert.NotEqual(secret, Shamir.Combine(mixed));
            Share[] mixed2 = [fresh[subset[0]], old[subset[1]], old[subset[2]]];
            Assert.NotEqual(secret, Shamir.Combine(mixed2));
        }
    }

    [Fact]
    public void Refresh_OfARepairedShareSet_KeepsWorking()
    {
        var secret = TestData.RandomBytes(64, 4);
        var shares = Shamir.Split(Guid.NewGuid(), secret, 3, 2);
        var set = new[] { shares[0], Shamir.Repair([shares[0], shares[2]], 2), shares[2] };
        for (var round = 0; round < 5; round++)
        {
            set = Shamir.Refresh(set);
        }

        Assert.Equal(secret, Shamir.Combine([set[2], set[1]]));
    }
}
