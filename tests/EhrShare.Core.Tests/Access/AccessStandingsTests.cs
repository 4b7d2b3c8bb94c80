using EhrShare.Core.Access;
using EhrShare.Core.Chain;

namespace EhrShare.Core.Tests.Access;

/// <summary>Where a doctor stands, from the contract's permission at a moment: the rule both access lists show.</summary>
public sealed class AccessStandingsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static LedgerPermission Permission(LedgerPermissionStatus status, DateTimeOffset? expires = null, DateTimeOffset? emergencyUntil = null) =>
        new(status, expires, Now.AddDays(-1), emergencyUntil);

    [Fact]
    public void AGrantBeforeItsExpiry_IsGranted_AndFromItsExpiryOn_Expired()
    {
        var grant = Permission(LedgerPermissionStatus.Granted, Now.AddHours(1));

        Assert.Equal(AccessStanding.Granted, AccessStandings.Of(grant, Now));
        Assert.Equal(AccessStanding.Granted, AccessStandings.Of(grant, Now.AddHours(1).AddTicks(-1)));
        Assert.Equal(AccessStanding.Expired, AccessStandings.Of(grant, Now.AddHours(1)));
    }

    [Theory]
    [InlineData(LedgerPermissionStatus.None)]
    [InlineData(LedgerPermissionStatus.Requested)]
    [InlineData(LedgerPermissionStatus.Granted)]
    [InlineData(LedgerPermissionStatus.Denied)]
    [InlineData(LedgerPermissionStatus.Revoked)]
    public void AnEmergencyInForce_IsTheStanding_WhateverThePatientAnswered(LedgerPermissionStatus status)
    {
        var permission = Permission(status, Now.AddDays(-2), emergencyUntil: Now.AddMinutes(30));

        Assert.Equal(AccessStanding.Emergency, AccessStandings.Of(permission, Now));
    }

    [Fact]
    public void AnEmergencyThatEnded_LeavesThePatientsAnswer()
    {
        var permission = Permission(LedgerPermissionStatus.Revoked, emergencyUntil: Now);

        Assert.Equal(AccessStanding.Revoked, AccessStandings.Of(permission, Now));
    }

    [Theory]
    [InlineData(LedgerPermissionStatus.Requested, AccessStanding.Requested)]
    [InlineData(LedgerPermissionStatus.Denied, AccessStanding.Denied)]
    [InlineData(LedgerPermissionStatus.Revoked, AccessStanding.Revoked)]
    public void TheOtherAnswers_AreTheirOwnStanding(LedgerPermissionStatus status, AccessStanding standing) =>
        Assert.Equal(standing, AccessStandings.Of(Permission(status), Now));

    [Fact]
    public void ADoctorWhoNeverAsked_HasNoStanding_AndIsNotListed() =>
        Assert.Null(AccessStandings.Of(new LedgerPermission(LedgerPermissionStatus.None, null, null, null), Now));
}
