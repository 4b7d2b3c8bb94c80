using EhrShare.Core.Access;

namespace EhrShare.Core.Tests.Access;

/// <summary>
/// The app's copy of a grant's records follows the contract's rules (EhrAccess.sol _grant and _scopeAt): which set a
/// read decided at a block is judged by, and what a mined grant does to the kept sets.
/// </summary>
public sealed class GrantScopeRulesTests
{
    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();
    private static readonly Guid C = Guid.NewGuid();

    [Fact]
    public void WithNoSetKept_EveryRecordIsCovered()
    {
        Assert.Null(GrantScopeRules.CoveredAt([], 10));
    }

    [Fact]
    public void AReadAtOrAfterTheChange_IsJudgedByTheNewSet_AndOneBefore_ByTheSetItReplaced()
    {
        var kept = Keep(Scope(10, A), Scope(20, B));

        Assert.Equal(new[] { B }, GrantScopeRules.CoveredAt(kept, 20)!);
        Assert.Equal(new[] { B }, GrantScopeRules.CoveredAt(kept, ulong.MaxValue)!);
        Assert.Equal(new[] { A }, GrantScopeRules.CoveredAt(kept, 19)!);
        // The contract keeps only the last change: further back is still the set it replaced.
        Assert.Equal(new[] { A }, GrantScopeRules.CoveredAt(kept, 5)!);
    }

    [Fact]
    public void BeforeTheFirstSet_EveryRecordIsCovered_AsTheContractsEmptyPreviousSlotSays()
    {
        var kept = Keep(Scope(10, A));

        Assert.Null(GrantScopeRules.CoveredAt(kept, 9));
        Assert.Equal(new[] { A }, GrantScopeRules.CoveredAt(kept, 10)!);
    }

    [Fact]
    public void AChangeBackToAllRecords_CoversEveryRecordFromItsBlock()
    {
        var kept = Keep(Scope(10, A), new GrantScope { FromBlock = 20, AllRecords = true });

        Assert.Null(GrantScopeRules.CoveredAt(kept, 20));
        Assert.Equal(new[] { A }, GrantScopeRules.CoveredAt(kept, 15)!);
    }

    [Fact]
    public void AGrantOfTheSetInForce_ChangesNothing_WhateverTheOrderOfItsIds()
    {
        var kept = Keep(Scope(10, A, B));

        var (added, removed) = GrantScopeRules.Apply(kept, "p", "d", [B, A, B], 30);

        Assert.Null(added);
        Assert.Empty(removed);
    }

    [Fact]
    public void AGrantOfAllRecords_WithNoSetKept_ChangesNothing()
    {
        var (added, removed) = GrantScopeRules.Apply([], "p", "d", null, 30);

        Assert.Null(added);
        Assert.Empty(removed);
    }

    [Fact]
    public void AChange_KeepsTheSetInForce_ForEarlierReads_AndDropsTheOneBeforeIt()
    {
        var oldest = Scope(10, A);
        var current = Scope(20, B);

        var (added, removed) = GrantScopeRules.Apply(Keep(oldest, current), "p", "d", [C], 30);

        Assert.Equal((30L, false), (added!.FromBlock, added.AllRecords));
        Assert.Equal(new[] { C }, added.Covered!);
        Assert.Equal(("p", "d"), (added.PatientAccount, added.DoctorAccount));
        Assert.Same(oldest, Assert.Single(removed));
        Assert.Equal(new[] { B }, GrantScopeRules.CoveredAt(Keep(current, added), 29)!);
    }

    [Fact]
    public void ASecondChangeInTheSameBlock_ReplacesTheFirst_AndKeepsTheSetBeforeTheBlock()
    {
        var before = Scope(10, A);
        var first = Scope(20, B);

        var (added, removed) = GrantScopeRules.Apply(Keep(before, first), "p", "d", [C], 20);

        Assert.Same(first, Assert.Single(removed));
        Assert.Equal(new[] { A }, GrantScopeRules.CoveredAt(Keep(before, added!), 19)!);
        Assert.Equal(new[] { C }, GrantScopeRules.CoveredAt(Keep(before, added!), 20)!);
    }

    [Fact]
    public void WideningToAllRecords_IsKeptAsASet_SoEarlierReadsKeepTheChosenOnes()
    {
        var chosen = Scope(10, A);

        var (added, removed) = GrantScopeRules.Apply(Keep(chosen), "p", "d", null, 20);

        Assert.True(added!.AllRecords);
        Assert.Empty(added.Records);
        Assert.Empty(removed);
        Assert.Null(GrantScopeRules.CoveredAt(Keep(chosen, added), 20));
        Assert.Equal(new[] { A }, GrantScopeRules.CoveredAt(Keep(chosen, added), 19)!);
    }

    private static GrantScope Scope(long fromBlock, params Guid[] records) =>
        new() { FromBlock = fromBlock, Records = records.Select(id => new GrantScopeRecord { RecordId = id }).ToList() };

    private static List<GrantScope> Keep(params GrantScope[] scopes) => [.. scopes];
}
