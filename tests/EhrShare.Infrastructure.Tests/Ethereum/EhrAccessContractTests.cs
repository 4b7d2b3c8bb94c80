using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>Every rule of the EhrAccess contract against a real anvil (automine), through the typed wrapper.</summary>
public class EhrAccessContractTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    private EhrAccessContract Contract => chain.Contract;

    [Fact]
    public async Task Deploy_FreshChain_PutsTheArtifactsCodeThere_OwnedByTheManager()
    {
        var code = await chain.Rpc.EthGetCodeAsync(Contract.Address);
        Assert.Equal(ContractArtifact.EhrAccess.DeployedBytecode, code);
        Assert.Equal(chain.Manager.Address, await Contract.OwnerAsync());
        Assert.Equal(3u, await Contract.PenaltyThresholdAsync());
        Assert.Equal(TimeSpan.FromHours(1), await Contract.EmergencyWindowAsync());
    }

    [Fact]
    public async Task RegisterPatient_ByOwner_IsFoundByAidPid_WithEvent()
    {
        var patient = EthKey.Generate().Address;
        var receipt = await Contract.RegisterPatientAsync(chain.Manager, patient, 12, 345);

        Assert.Equal(patient, await Contract.PatientByAddressAsync(12, 345));
        Assert.Null(await Contract.PatientByAddressAsync(12, 346));
        var account = await Contract.GetAccountAsync(patient);
        Assert.Equal(new EhrAccount(patient, EhrRole.Patient, false, 0, 12, 345), account);
        var evt = Assert.IsType<PatientRegisteredEvent>(Assert.Single(Contract.DecodeEvents(receipt)));
        Assert.Equal((patient, 12u, 345u), (evt.Patient, evt.Aid, evt.Pid));
    }

    [Fact]
    public async Task RegisterPatient_ByNonOwner_RevertsWithNotOwner()
    {
        var intruder = await chain.NewFundedKeyAsync();
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            Contract.RegisterPatientAsync(intruder, EthKey.Generate().Address, 1, 1));

        Assert.Equal(RevertKind.Custom, ex.Reason.Kind);
        Assert.Equal("NotOwner", ex.ErrorName);
        Assert.Equal(intruder.Address, ex.Reason.Arguments[0]);
        var doctorEx = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.RegisterDoctorAsync(intruder, intruder.Address));
        Assert.Equal("NotOwner", doctorEx.ErrorName);
    }

    [Fact]
    public async Task RegisterPatient_TakenPatientAddressOrAccount_Reverts()
    {
        var (patient, aid, pid) = await chain.NewPatientAsync();

        var taken = await Assert.ThrowsAsync<ContractRevertException>(() =>
            Contract.RegisterPatientAsync(chain.Manager, EthKey.Generate().Address, aid, pid));
        Assert.Equal("PatientAddressTaken", taken.ErrorName);

        var again = await Assert.ThrowsAsync<ContractRevertException>(() =>
            Contract.RegisterDoctorAsync(chain.Manager, patient.Address));
        Assert.Equal("AlreadyRegistered", again.ErrorName);
    }

    [Fact]
    public async Task AddRecord_ByPatient_StoresBlockHash_ThenRemoveMarksItRemoved_AndTheIdCannotBeReused()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var recordId = Guid.CreateVersion7();
        var blockHash = ChainFixture.Sha256Of("block " + recordId);

        var added = await Contract.AddRecordAsync(patient, recordId, blockHash);
        var record = await Contract.GetRecordAsync(patient.Address, recordId);
        Assert.Equal(blockHash, record.BlockHash);
        Assert.False(record.Removed);
        var addedEvent = Assert.IsType<RecordAddedEvent>(Assert.Single(Contract.DecodeEvents(added)));
        Assert.Equal((patient.Address, recordId), (addedEvent.Patient, addedEvent.RecordId));
        Assert.Equal(blockHash, addedEvent.BlockHash);

        var duplicate = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.AddRecordAsync(patient, recordId, blockHash));
        Assert.Equal("RecordExists", duplicate.ErrorName);
        Assert.Equal(RecordIds.ToBytes16(recordId), (byte[])duplicate.Reason.Arguments[0]!);

        var removed = await Contract.RemoveRecordAsync(patient, recordId);
        Assert.IsType<RecordRemovedEvent>(Assert.Single(Contract.DecodeEvents(removed)));
        Assert.Equal(new EhrRecordState(null, true), await Contract.GetRecordAsync(patient.Address, recordId));

        var reuse = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.AddRecordAsync(patient, recordId, blockHash));
        Assert.Equal("RecordExists", reuse.ErrorName);
        var removeAgain = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.RemoveRecordAsync(patient, recordId));
        Assert.Equal("UnknownRecord", removeAgain.ErrorName);
    }

    [Fact]
    public async Task AddRecord_ByDoctorOrStranger_RevertsWithNotPatient()
    {
        var doctor = await chain.NewDoctorAsync();
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            Contract.AddRecordAsync(doctor, Guid.CreateVersion7(), ChainFixture.Sha256Of("x")));
        Assert.Equal("NotPatient", ex.ErrorName);
    }

    [Fact]
    public async Task GrantAccess_ByADoctor_RevertsWithNotPatient()
    {
        var doctor = await chain.NewDoctorAsync();
        var otherDoctor = await chain.NewDoctorAsync();
        var expiry = (await chain.ChainNowAsync()).AddDays(1);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.GrantAccessAsync(doctor, otherDoctor.Address, expiry));
        Assert.Equal("NotPatient", ex.ErrorName);
        Assert.Equal(doctor.Address, ex.Reason.Arguments[0]);
    }

    [Fact]
    public async Task RequestGrantLogRevoke_FullFlow_DecidesAndRecordsEachAttempt()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var recordId = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("r"));

        var requested = await Contract.RequestAccessAsync(doctor, patient.Address);
        Assert.IsType<AccessRequestedEvent>(Assert.Single(Contract.DecodeEvents(requested)));
        Assert.Equal(PermissionStatus.Requested, (await Contract.GetPermissionAsync(patient.Address, doctor.Address)).Status);
        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));

        var expiry = (await chain.ChainNowAsync()).AddDays(30);
        var granted = await Contract.GrantAccessAsync(patient, doctor.Address, expiry);
        var grantEvent = Assert.IsType<PermissionGrantedEvent>(Assert.Single(Contract.DecodeEvents(granted)));
        Assert.Equal(expiry.ToUnixTimeSeconds(), grantEvent.ExpiresAt.ToUnixTimeSeconds());
        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));

        var allowed = await Contract.LogAccessAsync(doctor, patient.Address, recordId);
        Assert.True(allowed.Allowed);
        Assert.Equal(DenialReason.None, allowed.Reason);

        var listAllowed = await Contract.LogAccessAsync(doctor, patient.Address, null);
        Assert.True(listAllowed.Allowed);

        await Contract.RevokeAccessAsync(patient, doctor.Address);
        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        Assert.Equal(PermissionStatus.Revoked, (await Contract.GetPermissionAsync(patient.Address, doctor.Address)).Status);

        var denied = await Contract.LogAccessAsync(doctor, patient.Address, recordId);
        Assert.False(denied.Allowed);
        Assert.Equal(DenialReason.NoPermission, denied.Reason);
        Assert.Equal(1u, denied.Penalties);
        Assert.Equal(1u, (await Contract.GetAccountAsync(doctor.Address)).Penalties);

        var revokeAgain = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.RevokeAccessAsync(patient, doctor.Address));
        Assert.Equal("NotGranted", revokeAgain.ErrorName);
    }

    [Fact]
    public async Task LogAccess_UnknownOrRemovedRecord_IsDeniedEvenWithAGrant()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));

        var result = await Contract.LogAccessAsync(doctor, patient.Address, Guid.CreateVersion7());
        Assert.False(result.Allowed);
        Assert.Equal(DenialReason.UnknownRecord, result.Reason);
    }

    [Fact]
    public async Task GrantAccess_AfterItExpires_NoLongerAllowsAccess()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var now = await chain.ChainNowAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, now.AddMinutes(10));
        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));

        await chain.AdvanceTimeAsync(TimeSpan.FromMinutes(11));

        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        var result = await Contract.LogAccessAsync(doctor, patient.Address, null);
        Assert.False(result.Allowed);
        Assert.Equal(DenialReason.PermissionExpired, result.Reason);

        var past = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.GrantAccessAsync(patient, doctor.Address, now));
        Assert.Equal("ExpiryNotInFuture", past.ErrorName);
    }

    [Fact]
    public async Task DenyAccess_PendingRequest_IsRecorded_AndWithoutRequestReverts()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();

        var none = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.DenyAccessAsync(patient, doctor.Address));
        Assert.Equal("NoPendingRequest", none.ErrorName);

        await Contract.RequestAccessAsync(doctor, patient.Address);
        var receipt = await Contract.DenyAccessAsync(patient, doctor.Address);

        Assert.IsType<PermissionDeniedEvent>(Assert.Single(Contract.DecodeEvents(receipt)));
        Assert.Equal(PermissionStatus.Denied, (await Contract.GetPermissionAsync(patient.Address, doctor.Address)).Status);
        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));
    }

    [Fact]
    public async Task RequestAccess_ToANonPatient_Reverts()
    {
        var doctor = await chain.NewDoctorAsync();
        var other = await chain.NewDoctorAsync();
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.RequestAccessAsync(doctor, other.Address));
        Assert.Equal("NotPatient", ex.ErrorName);
    }

    [Fact]
    public async Task SuspendedDoctor_HasNoAccess_CannotRequest_AndAttemptsAreDenied_UntilReinstated()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));

        var suspended = await Contract.SuspendAsync(chain.Manager, doctor.Address);
        var evt = Assert.IsType<AccountSuspendedEvent>(Assert.Single(Contract.DecodeEvents(suspended)));
        Assert.Equal(SuspensionCause.Owner, evt.Cause);

        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        var request = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.RequestAccessAsync(doctor, patient.Address));
        Assert.Equal("AccountIsSuspended", request.ErrorName);
        var attempt = await Contract.LogAccessAsync(doctor, patient.Address, null);
        Assert.Equal((DenialReason.DoctorSuspended, 0u), (attempt.Reason, attempt.Penalties)); // no penalty while suspended

        await Contract.ReinstateAsync(chain.Manager, doctor.Address);
        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));
    }

    [Fact]
    public async Task SuspendedPatient_CannotAddRecordsOrGrant()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        await Contract.SuspendAsync(chain.Manager, patient.Address);

        var add = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.AddRecordAsync(patient, Guid.CreateVersion7(), ChainFixture.Sha256Of("x")));
        Assert.Equal("AccountIsSuspended", add.ErrorName);
        var grant = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.GrantAccessAsync(patient, doctor.Address, DateTimeOffset.UtcNow.AddDays(400)));
        Assert.Equal("AccountIsSuspended", grant.ErrorName);
    }

    [Fact]
    public async Task RepeatedDenials_ReachTheThreshold_SuspendTheDoctor_UntilThePenaltyIsLifted()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var threshold = await Contract.PenaltyThresholdAsync();

        AccessLogResult last = null!;
        for (var i = 0; i < threshold; i++)
        {
            last = await Contract.LogAccessAsync(doctor, patient.Address, null);
            Assert.False(last.Allowed);
        }

        Assert.True(last.DoctorSuspended);
        Assert.Equal(threshold, last.Penalties);
        var account = await Contract.GetAccountAsync(doctor.Address);
        Assert.True(account.Suspended);

        var lifted = await Contract.LiftPenaltyAsync(chain.Manager, doctor.Address);
        Assert.IsType<PenaltyLiftedEvent>(Assert.Single(Contract.DecodeEvents(lifted)));
        Assert.Equal(new EhrAccount(doctor.Address, EhrRole.Doctor, false, 0, 0, 0), await Contract.GetAccountAsync(doctor.Address));
        await Contract.RequestAccessAsync(doctor, patient.Address);
    }

    [Fact]
    public async Task EmergencyAccess_GrantsTheOwnersWindowWithAReasonCommitment_ThenLapses_AndTheOwnerCanPenalize()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var commitment = EhrAccessContract.ReasonCommitment(new byte[32], "unconscious patient in the emergency room");

        var evt = await Contract.DeclareEmergencyAsync(doctor, patient.Address, commitment);

        Assert.True(evt.Declared);
        Assert.Equal(commitment, evt.ReasonCommitment);
        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        var permission = await Contract.GetPermissionAsync(patient.Address, doctor.Address);
        Assert.Equal(evt.Until, permission.EmergencyUntil);
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, null)).Allowed);

        await chain.AdvanceTimeAsync(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));

        var penalized = await Contract.PenalizeAsync(chain.Manager, doctor.Address);
        var p = Assert.IsType<DoctorPenalizedEvent>(Assert.Single(Contract.DecodeEvents(penalized)));
        Assert.Equal(1u, p.Penalties);
    }

    [Fact]
    public async Task EmergencyAccess_CanBeEndedByThePatient()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        await Contract.DeclareEmergencyAsync(doctor, patient.Address, ChainFixture.Sha256Of("r"));

        await Contract.RevokeAccessAsync(patient, doctor.Address);

        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));
    }

    [Fact]
    public async Task LogOwnAccess_ByThePatient_IsLoggedAsOwnerAccess_AllowedForCurrentRecordsAndTheList()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var recordId = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("own"));

        var read = await Contract.LogOwnAccessAsync(patient, recordId);
        var list = await Contract.LogOwnAccessAsync(patient, null);

        Assert.True(read.Allowed);
        Assert.True(list.Allowed);
        var receipt = (await chain.Rpc.EthGetTransactionReceiptAsync(read.TransactionHash))!;
        var evt = Assert.IsType<OwnerAccessEvent>(Assert.Single(Contract.DecodeEvents(receipt)));
        Assert.Equal(new OwnerAccessEvent(patient.Address, recordId, true, evt.AttemptedAt) with { BlockNumber = evt.BlockNumber, TransactionHash = evt.TransactionHash, LogIndex = evt.LogIndex, Timestamp = evt.Timestamp }, evt);
        var history = await Contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock });
        Assert.Equal(["PatientRegistered", "RecordAdded", "OwnerAccess", "OwnerAccess"], history.Select(e => e.EventName));
        Assert.Null(Assert.IsType<OwnerAccessEvent>(history[^1]).RecordId);
        Assert.Equal(0u, (await Contract.GetAccountAsync(patient.Address)).Penalties);
    }

    [Fact]
    public async Task LogOwnAccess_UnknownOrRemovedRecord_IsStillLogged_NotAllowed_AndASuspendedPatientIsLoggedToo()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var removed = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, removed, ChainFixture.Sha256Of("gone"));
        await Contract.RemoveRecordAsync(patient, removed);

        var unknown = await Contract.LogOwnAccessAsync(patient, Guid.CreateVersion7());
        var gone = await Contract.LogOwnAccessAsync(patient, removed);
        await Contract.SuspendAsync(chain.Manager, patient.Address);
        var whileSuspended = await Contract.LogOwnAccessAsync(patient, null);

        Assert.Equal((false, DenialReason.UnknownRecord), (unknown.Allowed, unknown.Reason));
        Assert.Equal((false, DenialReason.UnknownRecord), (gone.Allowed, gone.Reason));
        Assert.True(whileSuspended.Allowed);
        var owner = (await Contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock }))
            .OfType<OwnerAccessEvent>().ToList();
        Assert.Equal([false, false, true], owner.Select(e => e.Allowed));
        Assert.Equal(removed, owner[1].RecordId);
    }

    [Fact]
    public async Task LogOwnAccess_FromADoctorOrStranger_RevertsWithNotPatient()
    {
        var doctor = await chain.NewDoctorAsync();
        var stranger = await chain.NewFundedKeyAsync();

        Assert.Equal("NotPatient", (await Assert.ThrowsAsync<ContractRevertException>(() => Contract.LogOwnAccessAsync(doctor, null))).ErrorName);
        Assert.Equal("NotPatient", (await Assert.ThrowsAsync<ContractRevertException>(() => Contract.LogOwnAccessAsync(stranger, Guid.CreateVersion7()))).ErrorName);
    }

    [Fact]
    public async Task LogAccess_FromANonDoctor_Reverts()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var stranger = await chain.NewFundedKeyAsync();
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.LogAccessAsync(stranger, patient.Address, null));
        Assert.Equal("NotDoctor", ex.ErrorName);
    }

    [Fact]
    public async Task LogAccessBatch_DecidesEachAttemptAsOfItsOwnBlock_WithItsOwnEvent_AndCountsPenaltiesInOrder()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var record = Guid.CreateVersion7();
        var unknown = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, record, ChainFixture.Sha256Of("batch " + record));
        await Contract.GrantAccessAsync(patient, doctor.Address, DateTimeOffset.UtcNow.AddDays(30));
        var granted = await chain.Rpc.EthBlockNumberAsync();
        await Contract.RevokeAccessAsync(patient, doctor.Address);
        Assert.Equal(3u, await Contract.PenaltyThresholdAsync());
        var readAt = (await chain.ChainNowAsync()).AddSeconds(-1);

        LoggedAttempt Attempt(Guid? id, ulong? block) => new(patient.Address, id, readAt, block);
        var results = await Contract.LogAccessBatchAsync(doctor,
        [
            Attempt(record, granted),   // made while granted: allowed
            Attempt(record, null),      // after the revocation: denied, penalty 1
            Attempt(unknown, granted),  // an unknown record: denied, penalty 2
            Attempt(null, null),        // the list, after the revocation: penalty 3, suspends the doctor
            Attempt(record, null),      // decided on this block: the doctor is suspended (no penalty)
            Attempt(record, granted),   // made before all that: still allowed
        ]);

        Assert.Equal([true, false, false, false, false, true], results.Select(r => r.Allowed));
        Assert.Equal(
            [DenialReason.None, DenialReason.NoPermission, DenialReason.UnknownRecord, DenialReason.NoPermission, DenialReason.DoctorSuspended, DenialReason.None],
            results.Select(r => r.Reason));
        Assert.Equal([0u, 1u, 2u, 3u, 3u, 0u], results.Select(r => r.Penalties));
        Assert.Equal([false, false, false, true, false, false], results.Select(r => r.DoctorSuspended));
        Assert.Equal([record, record, unknown, (Guid?)null, record, record], results.Select(r => r.RecordId));
        Assert.All(results, r => Assert.Equal(patient.Address, r.Patient));
        Assert.Single(results.Select(r => r.TransactionHash).Distinct());

        // The same events, with the same fields, as six logAccess transactions would emit, in the batch's order.
        var receipt = (await chain.Rpc.EthGetTransactionReceiptAsync(results[0].TransactionHash))!;
        var events = Contract.DecodeEvents(receipt);
        Assert.Equal(
            [nameof(AccessGrantedEvent), nameof(AccessDeniedEvent), nameof(AccessDeniedEvent), nameof(AccessDeniedEvent), nameof(AccountSuspendedEvent), nameof(AccessDeniedEvent), nameof(AccessGrantedEvent)],
            events.Select(e => e.GetType().Name));
        var first = Assert.IsType<AccessGrantedEvent>(events[0]);
        Assert.Equal((patient.Address, doctor.Address, (Guid?)record, DateTimeOffset.FromUnixTimeSeconds(readAt.ToUnixTimeSeconds())), (first.Patient, first.Doctor, first.RecordId, first.AttemptedAt));
        Assert.Equal(SuspensionCause.Penalty, Assert.IsType<AccountSuspendedEvent>(events[4]).Cause);
        var account = await Contract.GetAccountAsync(doctor.Address);
        Assert.True(account.Suspended);
        Assert.Equal(3u, account.Penalties);
    }

    [Fact]
    public async Task LogAccessBatch_FromANonDoctorOrEmpty_RevertsAndLogsNothing()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var stranger = await chain.NewFundedKeyAsync();
        var from = await chain.Rpc.EthBlockNumberAsync();
        LoggedAttempt[] attempts = [new(patient.Address, null, null, null), new(patient.Address, Guid.CreateVersion7(), null, null)];

        Assert.Equal("NotDoctor", (await Assert.ThrowsAsync<ContractRevertException>(() => Contract.LogAccessBatchAsync(stranger, attempts))).ErrorName);
        Assert.Equal("NotDoctor", (await Assert.ThrowsAsync<ContractRevertException>(() => Contract.LogAccessBatchAsync(patient, attempts))).ErrorName);
        Assert.Equal("EmptyBatch", (await Assert.ThrowsAsync<ContractRevertException>(() => Contract.LogAccessBatchAsync(doctor, []))).ErrorName);

        Assert.Empty(await Contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, FromBlock = from }));
        Assert.Equal(0u, (await Contract.GetAccountAsync(doctor.Address)).Penalties);
    }

    [Fact]
    public async Task OwnerSettings_InvalidValue_RevertsWithErrorString()
    {
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SetPenaltyThresholdAsync(chain.Manager, 0));
        Assert.Equal(RevertKind.Error, ex.Reason.Kind);
        Assert.Equal("EhrAccess: threshold must be positive", ex.Reason.Message);
        Assert.Contains("threshold must be positive", ex.Message, StringComparison.Ordinal);

        var window = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SetEmergencyWindowAsync(chain.Manager, TimeSpan.FromDays(8)));
        Assert.Equal(RevertKind.Error, window.Reason.Kind);
    }

    [Fact]
    public async Task OwnerSettings_ByOwner_AreStoredWithEvents()
    {
        // A separate contract so changing settings does not disturb the other tests' threshold.
        var address = await new ContractDeployer(chain.Sender, Microsoft.Extensions.Options.Options.Create(chain.Options)).DeployAsync(chain.Manager);
        var contract = new EhrAccessContract(chain.Sender, address);

        var t = await contract.SetPenaltyThresholdAsync(chain.Manager, 5);
        var w = await contract.SetEmergencyWindowAsync(chain.Manager, TimeSpan.FromMinutes(15));

        Assert.Equal(5u, await contract.PenaltyThresholdAsync());
        Assert.Equal(TimeSpan.FromMinutes(15), await contract.EmergencyWindowAsync());
        Assert.Equal(5u, Assert.IsType<PenaltyThresholdSetEvent>(Assert.Single(contract.DecodeEvents(t))).Threshold);
        Assert.Equal(TimeSpan.FromMinutes(15), Assert.IsType<EmergencyWindowSetEvent>(Assert.Single(contract.DecodeEvents(w))).Window);
    }

    [Fact]
    public async Task GetEvents_ByPatientByDoctorAndAll_ReturnTheirHistoryDecodedWithTimes()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var (otherPatient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var recordId = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("h"));
        await Contract.RequestAccessAsync(doctor, patient.Address);
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));
        await Contract.LogAccessAsync(doctor, patient.Address, recordId);
        await Contract.LogAccessAsync(doctor, otherPatient.Address, null);

        var byPatient = await Contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock });
        Assert.Equal(
            ["PatientRegistered", "RecordAdded", "AccessRequested", "PermissionGranted", "AccessGranted"],
            byPatient.Select(e => e.EventName));
        Assert.All(byPatient, e => Assert.NotNull(e.Timestamp));
        Assert.Equal(recordId, Assert.IsType<AccessGrantedEvent>(byPatient[^1]).RecordId);

        var byDoctor = await Contract.GetEventsAsync(new EhrEventQuery { Doctor = doctor.Address, FromBlock = chain.DeployBlock });
        Assert.Equal(
            ["DoctorRegistered", "AccessRequested", "PermissionGranted", "AccessGranted", "AccessDenied"],
            byDoctor.Select(e => e.EventName));
        Assert.Equal(otherPatient.Address, Assert.IsType<AccessDeniedEvent>(byDoctor[^1]).Patient);

        var between = await Contract.GetEventsAsync(new EhrEventQuery { Patient = otherPatient.Address, Doctor = doctor.Address });
        Assert.Equal(DenialReason.NoPermission, Assert.IsType<AccessDeniedEvent>(Assert.Single(between)).Reason);

        var all = await Contract.GetEventsAsync(new EhrEventQuery());
        Assert.True(all.Count >= byPatient.Count + byDoctor.Count - 3);
        Assert.Equal(all.OrderBy(e => e.BlockNumber).ThenBy(e => e.LogIndex), all);
    }

    [Fact]
    public async Task ChainMonitor_RecentBlocks_NameTheFunctionsAndGas()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var recordId = Guid.CreateVersion7();
        var receipt = await Contract.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("m"));
        var monitor = new ChainMonitor(chain.Rpc, Contract.Address);

        var blocks = await monitor.GetRecentBlocksAsync(5);
        var tx = blocks.SelectMany(b => b.Transactions).Single(t => t.Hash == receipt.TransactionHash);
        Assert.Equal("addRecord", tx.Function);
        Assert.Equal(receipt.GasUsed, tx.GasUsed);
        Assert.True(tx.Succeeded);
        Assert.True(blocks[0].Number >= blocks[^1].Number);

        var details = await monitor.GetTransactionAsync(receipt.TransactionHash);
        Assert.NotNull(details);
        Assert.Contains(details.Arguments, a => a.Key == "recordId" && a.Value == recordId.ToString());
        Assert.IsType<RecordAddedEvent>(Assert.Single(details.Events));
        Assert.Equal("(transfer)", monitor.DescribeFunction(patient.Address, []));
        Assert.Equal("(create contract)", monitor.DescribeFunction(null, [1]));
    }

    [Fact]
    public async Task EnsureDeployed_WithTheRecordedAddress_ReturnsItWithoutDeploying_AndWithAStaleOneDeploysAgain()
    {
        var deployer = new ContractDeployer(chain.Sender, Microsoft.Extensions.Options.Options.Create(chain.Options));
        var nonceBefore = await chain.Rpc.EthGetTransactionCountAsync(chain.Manager.Address, BlockParameter.Latest);

        var same = await deployer.EnsureDeployedAsync(Contract.Address.ToString());
        Assert.Equal(Contract.Address, same);
        Assert.Equal(nonceBefore, await chain.Rpc.EthGetTransactionCountAsync(chain.Manager.Address, BlockParameter.Latest));

        var stale = EthKey.Generate().Address.ToString(); // no code there: e.g. a reset dev chain
        var fresh = await deployer.EnsureDeployedAsync(stale);
        Assert.NotEqual(Contract.Address, fresh);
        Assert.Equal(ContractArtifact.EhrAccess.DeployedBytecode, await chain.Rpc.EthGetCodeAsync(fresh));
    }

    [Fact]
    public async Task EnsureDeployed_OverOtherCode_DeploysANewOneOnlyWhenReplacingIsAllowed()
    {
        // Other code at the recorded address: what an older build of the contract looks like to this one.
        var old = EthKey.Generate().Address;
        await chain.Rpc.RequestAsync("anvil_setCode", w =>
        {
            w.WriteStringValue(old.ToLowerHex());
            w.WriteStringValue("0x6080604052600080fd");
        }, _ => 0);

        var refusing = new ContractDeployer(chain.Sender, Microsoft.Extensions.Options.Options.Create(chain.OptionsWith(o => o.ReplaceOutdatedContract = false)));
        var refused = await Assert.ThrowsAsync<ChainException>(() => refusing.EnsureDeployedAsync(old.ToString()));
        Assert.Contains("Chain:ReplaceOutdatedContract=true", refused.Message, StringComparison.Ordinal);
        Assert.Contains("not this build's EhrAccess", refused.Message, StringComparison.Ordinal);

        var logs = new ListLogger<ContractDeployer>();
        var replacing = new ContractDeployer(chain.Sender, Microsoft.Extensions.Options.Options.Create(chain.OptionsWith(o => o.ReplaceOutdatedContract = true)), logs);
        var fresh = await replacing.EnsureDeployedAsync(old.ToString());

        Assert.NotEqual(old, fresh);
        Assert.Equal(ContractArtifact.EhrAccess.DeployedBytecode, await chain.Rpc.EthGetCodeAsync(fresh));
        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("REPLACED THE CONTRACT", warning.Message, StringComparison.Ordinal);
        Assert.Contains(old.ToString(), warning.Message, StringComparison.Ordinal);
        Assert.Contains("starts empty", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrapper_HasOneMethodPerContractFunction()
    {
        var methods = typeof(EhrAccessContract).GetMethods().Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["accountOf"] = "GetAccountAsync",
            ["permissionOf"] = "GetPermissionAsync",
            ["recordOf"] = "GetRecordAsync",
        };
        foreach (var f in ContractArtifact.EhrAccess.Abi.Functions)
        {
            var expected = aliases.TryGetValue(f.Name, out var alias) ? alias : char.ToUpperInvariant(f.Name[0]) + f.Name[1..] + "Async";
            Assert.True(methods.Contains(expected), $"EhrAccessContract has no {expected} for {f.Signature}");
        }

        foreach (var e in ContractArtifact.EhrAccess.Abi.Events)
        {
            Assert.NotNull(typeof(EhrAccessEvent).Assembly.GetType($"EhrShare.Infrastructure.Ethereum.Contracts.{e.Name}Event"));
        }
    }
}
