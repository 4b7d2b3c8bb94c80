using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>
/// logAccess and logOwnAccess decide as of the attempt: the block the app's <c>accessAt</c> view read and the time of
/// the read, whatever was mined in between (docs/decisions/access-decided-at-the-attempt.md). Each test decides
/// a read, changes the state on the chain, then logs the read as the outbox would: later.
/// </summary>
public class AccessAtAttemptTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    private EhrAccessContract Contract => chain.Contract;

    [Fact]
    public async Task AReadInsideTheGrant_LoggedAfterItExpired_IsAllowed_ButAReadAfterTheExpiryIsNot()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddMinutes(10));
        var (at, decision) = await DecideAsync(patient, doctor);
        Assert.True(decision.Allowed);

        await chain.AdvanceTimeAsync(TimeSpan.FromHours(1));
        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));

        var logged = await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock);
        Assert.True(logged.Allowed);
        var (lateAt, late) = await DecideAsync(patient, doctor);
        Assert.False(late.Allowed);
        var lateLog = await Contract.LogAccessAsync(doctor, patient.Address, recordId, lateAt, late.DecidedAtBlock);
        Assert.Equal((false, DenialReason.PermissionExpired, 1u), (lateLog.Allowed, lateLog.Reason, lateLog.Penalties));
    }

    [Fact]
    public async Task AReadBeforeARevocation_LoggedAfterIt_IsAllowed_EvenWithinTheSameSecond()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));
        var (at, decision) = await DecideAsync(patient, doctor);
        Assert.True(decision.Allowed);

        // The revocation is mined with the very timestamp of the read: only the block order tells them apart.
        await SetNextBlockTimestampAsync(at);
        var revoke = await Contract.RevokeAccessAsync(patient, doctor.Address);
        Assert.Equal(at, (await chain.Rpc.EthGetBlockByNumberAsync(BlockParameter.Number(revoke.BlockNumber)))!.Timestamp);

        var logged = await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock);
        Assert.True(logged.Allowed);
        var granted = Assert.IsType<AccessGrantedEvent>(Assert.Single(Contract.DecodeEvents(await ReceiptAsync(logged))));
        Assert.Equal(at, granted.AttemptedAt);

        // A read decided on the revocation's block (same second) is refused, and logged so.
        var after = await Contract.AccessAtAsync(patient.Address, doctor.Address, at);
        Assert.False(after.Allowed);
        var refused = await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, after.DecidedAtBlock);
        Assert.Equal((false, DenialReason.NoPermission), (refused.Allowed, refused.Reason));
    }

    [Fact]
    public async Task AReadRefusedBeforeTheGrant_LoggedAfterIt_IsStillDenied()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.RequestAccessAsync(doctor, patient.Address);
        var (at, decision) = await DecideAsync(patient, doctor);
        Assert.False(decision.Allowed);

        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));

        var logged = await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock);
        Assert.Equal((false, DenialReason.NoPermission), (logged.Allowed, logged.Reason));
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId)).Allowed);
    }

    [Fact]
    public async Task AnEmergencyWindow_CoversReadsMadeInIt_AfterItEndsOrIsRevoked()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        var (beforeAt, before) = await DecideAsync(patient, doctor);
        await Contract.DeclareEmergencyAsync(doctor, patient.Address, ChainFixture.Sha256Of("collapsed"));
        var (at, decision) = await DecideAsync(patient, doctor);
        Assert.True(decision.Allowed);
        var (laterAt, later) = await DecideAsync(patient, doctor);

        await Contract.RevokeAccessAsync(patient, doctor.Address);
        Assert.Null((await Contract.GetPermissionAsync(patient.Address, doctor.Address)).EmergencyUntil);
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock)).Allowed);

        await chain.AdvanceTimeAsync(TimeSpan.FromHours(2));
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId, laterAt, later.DecidedAtBlock)).Allowed);
        Assert.False((await Contract.LogAccessAsync(doctor, patient.Address, recordId, beforeAt, before.DecidedAtBlock)).Allowed);
        Assert.False((await Contract.LogAccessAsync(doctor, patient.Address, recordId)).Allowed);

        // Past the window's end time, even on a block inside it, the read is refused.
        var pastWindow = at.AddHours(1).AddSeconds(1);
        Assert.False((await Contract.LogAccessAsync(doctor, patient.Address, recordId, pastWindow, decision.DecidedAtBlock)).Allowed);
    }

    [Fact]
    public async Task ASuspensionAfterTheRead_DoesNotDenyIt_ButAReadRefusedWhileSuspended_StaysDeniedAfterReinstatement()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));
        var (at, decision) = await DecideAsync(patient, doctor);
        Assert.True(decision.Allowed);

        await Contract.SuspendAsync(chain.Manager, doctor.Address);
        var (suspendedAt, whileSuspended) = await DecideAsync(patient, doctor);
        Assert.False(whileSuspended.Allowed);
        var logged = await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock);
        Assert.True(logged.Allowed);

        await Contract.ReinstateAsync(chain.Manager, doctor.Address);
        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        var refused = await Contract.LogAccessAsync(doctor, patient.Address, recordId, suspendedAt, whileSuspended.DecidedAtBlock);
        Assert.Equal((false, DenialReason.DoctorSuspended), (refused.Allowed, refused.Reason));
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock)).Allowed);
    }

    [Fact]
    public async Task ARegrantWhileTheGrantRuns_KeepsEarlierReadsAllowed_ButAGrantAfterARevocationStartsAfresh()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddMinutes(10));
        var (at, decision) = await DecideAsync(patient, doctor);

        // Extended while it runs: the read made under the first expiry is still inside the (same) grant.
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(2));
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock)).Allowed);

        // Revoked, then granted again: only the last grant is kept, so the earlier read now counts as denied (a known
        // limit, see the decision record).
        await Contract.RevokeAccessAsync(patient, doctor.Address);
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));
        var logged = await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock);
        Assert.Equal((false, DenialReason.NoPermission), (logged.Allowed, logged.Reason));
    }

    [Fact]
    public async Task ARequestAfterTheGrantExpired_KeepsTheGrantsInterval()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddMinutes(10));
        var (at, decision) = await DecideAsync(patient, doctor);
        await chain.AdvanceTimeAsync(TimeSpan.FromHours(1));

        await Contract.RequestAccessAsync(doctor, patient.Address);
        var permission = await Contract.GetPermissionAsync(patient.Address, doctor.Address);
        Assert.Equal((PermissionStatus.Requested, (DateTimeOffset?)null), (permission.Status, permission.ExpiresAt));

        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock)).Allowed);
    }

    [Fact]
    public async Task AFutureAttemptTime_IsTakenAsTheBlocksTime_AndAFutureBlockAsThisOne()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddMinutes(10));

        // A time past the expiry (and past the chain's clock) cannot make an allowed read a denial, nor the reverse.
        var future = (await chain.ChainNowAsync()).AddDays(30);
        var logged = await Contract.LogAccessAsync(doctor, patient.Address, recordId, future, ulong.MaxValue - 1);
        Assert.True(logged.Allowed);
        var receipt = await ReceiptAsync(logged);
        var block = (await chain.Rpc.EthGetBlockByNumberAsync(BlockParameter.Number(receipt.BlockNumber)))!;
        Assert.Equal(block.Timestamp, Assert.IsType<AccessGrantedEvent>(Assert.Single(Contract.DecodeEvents(receipt))).AttemptedAt);
    }

    [Fact]
    public async Task ARecordRemovedAfterTheRead_IsAllowed_AndOneRemovedBeforeIsDeniedWithoutPenalty()
    {
        var (patient, doctor, recordId) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));
        var (at, decision) = await DecideAsync(patient, doctor);
        var ownBlock = await chain.Rpc.EthBlockNumberAsync();

        await Contract.RemoveRecordAsync(patient, recordId);

        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, recordId, at, decision.DecidedAtBlock)).Allowed);
        Assert.True((await Contract.LogOwnAccessAsync(patient, recordId, at, ownBlock)).Allowed);
        var (lateAt, late) = await DecideAsync(patient, doctor);
        var refused = await Contract.LogAccessAsync(doctor, patient.Address, recordId, lateAt, late.DecidedAtBlock);
        Assert.Equal((false, DenialReason.RecordRemoved, 0u), (refused.Allowed, refused.Reason, refused.Penalties));
        Assert.Equal(0u, (await Contract.GetAccountAsync(doctor.Address)).Penalties);
        Assert.False((await Contract.LogOwnAccessAsync(patient, recordId, lateAt, late.DecidedAtBlock)).Allowed);

        // A record never added is still an unknown record, and penalised.
        var unknown = await Contract.LogAccessAsync(doctor, patient.Address, Guid.CreateVersion7(), lateAt, late.DecidedAtBlock);
        Assert.Equal((false, DenialReason.UnknownRecord, 1u), (unknown.Allowed, unknown.Reason, unknown.Penalties));
    }

    [Fact]
    public async Task HasAccess_IsAccessAt_TheLatestBlocksTime()
    {
        var (patient, doctor, _) = await PairWithRecordAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddSeconds(30));
        var now = await chain.ChainNowAsync();

        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        Assert.True((await Contract.AccessAtAsync(patient.Address, doctor.Address, now)).Allowed);
        Assert.False((await Contract.AccessAtAsync(patient.Address, doctor.Address, now.AddSeconds(31))).Allowed);
        Assert.Equal(await chain.Rpc.EthBlockNumberAsync(), (await Contract.AccessAtAsync(patient.Address, doctor.Address, now)).DecidedAtBlock);
    }

    [Fact]
    public async Task GrantAccess_BeyondFortyBitSeconds_RevertsWithExpiryTooFar()
    {
        var (patient, doctor, _) = await PairWithRecordAsync();

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SendAsync(patient, "grantAccess", [doctor.Address, 1UL << 40]));
        Assert.Equal("ExpiryTooFar", ex.ErrorName);
        await Contract.SendAsync(patient, "grantAccess", [doctor.Address, (1UL << 40) - 1]);
        Assert.Equal(DateTimeOffset.MaxValue, (await Contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock }))
            .OfType<PermissionGrantedEvent>().Single().ExpiresAt);
    }

    private async Task<(EthKey Patient, EthKey Doctor, Guid RecordId)> PairWithRecordAsync()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var recordId = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("record " + recordId));
        return (patient, doctor, recordId);
    }

    /// <summary>What the app does at a read: ask accessAt for the chain's current time (the tests move it).</summary>
    private async Task<(DateTimeOffset At, AccessDecision Decision)> DecideAsync(EthKey patient, EthKey doctor)
    {
        var at = await chain.ChainNowAsync();
        return (at, await Contract.AccessAtAsync(patient.Address, doctor.Address, at));
    }

    private async Task<RpcReceipt> ReceiptAsync(AccessLogResult result) =>
        (await chain.Rpc.EthGetTransactionReceiptAsync(result.TransactionHash))!;

    private Task SetNextBlockTimestampAsync(DateTimeOffset at) =>
        chain.Rpc.RequestAsync("evm_setNextBlockTimestamp", w => w.WriteNumberValue(at.ToUnixTimeSeconds()), _ => 0);
}
