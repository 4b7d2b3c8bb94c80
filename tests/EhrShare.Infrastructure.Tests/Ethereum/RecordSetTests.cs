using EhrShare.Infrastructure.Ethereum.Contracts;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>The Merkle tree of a grant's records, as grantRecords and the proofs of logAccess use it.</summary>
public class RecordSetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void EveryMember_HasAProofToTheRoot_AndNoOutsiderDoes(int size)
    {
        var ids = Enumerable.Range(0, size).Select(_ => Guid.NewGuid()).ToArray();
        var set = new RecordSet(ids);

        Assert.All(ids, id => Assert.True(RecordSet.Verify(set.Root, id, set.ProofFor(id))));
        Assert.All(ids, id => Assert.True(set.ProofFor(id).Count <= Math.Ceiling(Math.Log2(size))));
        var outsider = Guid.NewGuid();
        Assert.All(ids, id => Assert.False(RecordSet.Verify(set.Root, outsider, set.ProofFor(id))));
        Assert.Throws<ArgumentException>(() => set.ProofFor(outsider));
    }

    [Fact]
    public void TheRoot_DoesNotDependOnTheOrderOrRepeatsOfTheIds()
    {
        var ids = Enumerable.Range(0, 9).Select(_ => Guid.NewGuid()).ToArray();

        Assert.Equal(new RecordSet(ids).Root, new RecordSet([.. ids.Reverse(), ids[0]]).Root);
        Assert.NotEqual(new RecordSet(ids).Root, new RecordSet(ids.Skip(1)).Root);
    }

    [Fact]
    public void AnEmptySet_IsRefused_WithAMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RecordSet([]));
        Assert.Contains("at least one record", ex.Message, StringComparison.Ordinal);
    }
}
