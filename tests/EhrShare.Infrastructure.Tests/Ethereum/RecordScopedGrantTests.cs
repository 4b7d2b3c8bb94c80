using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>
/// Grants of chosen records (docs/decisions/record-scoped-grants.md): the contract, not the page, refuses a record
/// outside the grant's set, decided as of the attempt's block like every other rule.
/// </summary>
public class RecordScopedGrantTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    private EhrAccessContract Contract => chain.Contract;

    [Fact]
    public async Task AReadInsideTheSet_IsAllowed_AndOneOutsideIt_IsOutsideGrant_WithAPenalty()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(5);
        var set = new RecordSet(records.Take(3));
        await Contract.GrantRecordsAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), set);

        var at = await chain.ChainNowAsync();
        var inside = await Contract.AccessAtAsync(patient.Address, doctor.Address, records[1], at, set.ProofFor(records[1]));
        Assert.Equal((true, DenialReason.None), (inside.Allowed, inside.Reason));
        var outside = await Contract.AccessAtAsync(patient.Address, doctor.Address, records[4], at, []);
        Assert.Equal((false, DenialReason.OutsideGrant, PermissionStatus.Granted), (outside.Allowed, outside.Reason, outside.Status));
        // Another record's proof does not open it either.
        Assert.False((await Contract.AccessAtAsync(patient.Address, doctor.Address, records[4], at, set.ProofFor(records[1]))).Allowed);

        var logged = await Contract.LogAccessAsync(doctor, new LoggedAttempt(patient.Address, records[1], at, inside.DecidedAtBlock) { Proof = set.ProofFor(records[1]) });
        Assert.True(logged.Allowed);
        var refused = await Contract.LogAccessAsync(doctor, new LoggedAttempt(patient.Address, records[4], at, outside.DecidedAtBlock));
        Assert.Equal((false, DenialReason.OutsideGrant, 1u), (refused.Allowed, refused.Reason, refused.Penalties));
        var denied = Assert.IsType<AccessDeniedEvent>(Assert.Single(Contract.DecodeEvents((await chain.Rpc.EthGetTransactionReceiptAsync(refused.TransactionHash))!)));
        Assert.Equal((DenialReason.OutsideGrant, records[4]), (denied.Reason, denied.RecordId));
    }

    [Fact]
    public async Task TheRecordList_IsOpenUnderAnySet_AndTheGrantEventCarriesTheRoot()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(2);
        var set = new RecordSet([records[0]]);
        await Contract.GrantRecordsAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), set);

        Assert.True(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, null)).Allowed);
        // A set of one record: its proof is empty, the root is its leaf.
        Assert.Empty(set.ProofFor(records[0]));
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, records[0])).Allowed);
        var granted = (await Contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock })).OfType<PermissionGrantedEvent>().Single();
        Assert.Equal(set.Root, granted.RecordsRoot);
        var (root, from) = await Contract.GrantScopeAtAsync(patient.Address, doctor.Address, await chain.Rpc.EthBlockNumberAsync());
        Assert.Equal(set.Root[..28], root![..28]);
        Assert.Equal(granted.BlockNumber, from);
    }

    [Fact]
    public async Task ChangingTheSet_JudgesAReadDecidedBeforeTheChange_ByTheOldSet()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(4);
        var expiry = (await chain.ChainNowAsync()).AddDays(1);
        var first = new RecordSet(records.Take(2));
        await Contract.GrantRecordsAsync(patient, doctor.Address, expiry, first);
        var beforeAt = await chain.ChainNowAsync();
        var before = await Contract.AccessAtAsync(patient.Address, doctor.Address, records[0], beforeAt, first.ProofFor(records[0]));
        Assert.True(before.Allowed);

        var second = new RecordSet(records.Skip(2));
        var change = await Contract.GrantRecordsAsync(patient, doctor.Address, expiry, second);

        // Decided on the old set, logged after the change: allowed, as it was at the read.
        Assert.True((await Contract.LogAccessAsync(doctor, new LoggedAttempt(patient.Address, records[0], beforeAt, before.DecidedAtBlock) { Proof = first.ProofFor(records[0]) })).Allowed);
        // Now: the old set's record is outside, the new set's records inside.
        var at = await chain.ChainNowAsync();
        Assert.Equal(DenialReason.OutsideGrant, (await Contract.AccessAtAsync(patient.Address, doctor.Address, records[0], at, first.ProofFor(records[0]))).Reason);
        Assert.True((await Contract.AccessAtAsync(patient.Address, doctor.Address, records[3], at, second.ProofFor(records[3]))).Allowed);
        // The grant was extended, not restarted: the old set holds for blocks before the change.
        var (oldRoot, _) = await Contract.GrantScopeAtAsync(patient.Address, doctor.Address, change.BlockNumber - 1);
        Assert.Equal(first.Root[..28], oldRoot![..28]);
    }

    [Fact]
    public async Task ARecordAddedAfterTheGrant_IsOutsideIt_UntilTheGrantWidensToAllRecords()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(1);
        var expiry = (await chain.ChainNowAsync()).AddDays(1);
        await Contract.GrantRecordsAsync(patient, doctor.Address, expiry, new RecordSet(records));
        var later = Guid.CreateVersion7();
        await Contract.AddRecordAsync(patient, later, ChainFixture.Sha256Of("later " + later));
        var beforeAt = await chain.ChainNowAsync();
        var before = await Contract.AccessAtAsync(patient.Address, doctor.Address, later, beforeAt, []);
        Assert.Equal(DenialReason.OutsideGrant, before.Reason);

        await Contract.GrantAccessAsync(patient, doctor.Address, expiry);

        Assert.True((await Contract.AccessAtAsync(patient.Address, doctor.Address, later, await chain.ChainNowAsync(), [])).Allowed);
        // The read refused before the widening stays refused when logged after it.
        var logged = await Contract.LogAccessAsync(doctor, new LoggedAttempt(patient.Address, later, beforeAt, before.DecidedAtBlock));
        Assert.Equal((false, DenialReason.OutsideGrant), (logged.Allowed, logged.Reason));
    }

    [Fact]
    public async Task AnEmergency_CoversEveryRecord_DespiteASet()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(2);
        await Contract.GrantRecordsAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), new RecordSet([records[0]]));
        Assert.False((await Contract.AccessAtAsync(patient.Address, doctor.Address, records[1], await chain.ChainNowAsync(), [])).Allowed);

        Assert.True((await Contract.DeclareEmergencyAsync(doctor, patient.Address, ChainFixture.Sha256Of("unconscious"))).Declared);

        Assert.True((await Contract.AccessAtAsync(patient.Address, doctor.Address, records[1], await chain.ChainNowAsync(), [])).Allowed);
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, records[1])).Allowed);
    }

    [Fact]
    public async Task ANewGrantOfAllRecords_AfterARevocation_ForgetsTheSet()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(2);
        await Contract.GrantRecordsAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), new RecordSet([records[0]]));
        await Contract.RevokeAccessAsync(patient, doctor.Address);
        await Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1));

        Assert.True((await Contract.AccessAtAsync(patient.Address, doctor.Address, records[1], await chain.ChainNowAsync(), [])).Allowed);
        Assert.True((await Contract.LogAccessAsync(doctor, patient.Address, records[1])).Allowed);
        Assert.Equal((null, 0UL), await Contract.GrantScopeAtAsync(patient.Address, doctor.Address, await chain.Rpc.EthBlockNumberAsync()));
    }

    [Fact]
    public async Task ABatch_DecidesEachAttemptByItsOwnProof()
    {
        var (patient, doctor, records) = await PatientWithRecordsAsync(6);
        var set = new RecordSet(records.Take(5));
        await Contract.GrantRecordsAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), set);

        var results = await Contract.LogAccessBatchAsync(doctor,
        [
            .. records.Take(5).Select(id => new LoggedAttempt(patient.Address, id, null, null) { Proof = set.ProofFor(id) }),
            new LoggedAttempt(patient.Address, records[5], null, null) { Proof = set.ProofFor(records[0]) },
            new LoggedAttempt(patient.Address, null, null, null),
        ]);

        Assert.Equal([true, true, true, true, true, false, true], results.Select(r => r.Allowed));
        Assert.Equal(DenialReason.OutsideGrant, results[5].Reason);
        Assert.Equal(records[5], results[5].RecordId);
    }

    [Fact]
    public async Task GrantRecords_WithARootThatWouldReadAsAllRecords_Reverts()
    {
        var (patient, doctor, _) = await PatientWithRecordsAsync(1);
        var root = new byte[32];
        root[31] = 1;
        var expiry = (ulong)(await chain.ChainNowAsync()).AddDays(1).ToUnixTimeSeconds();

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SendAsync(patient, "grantRecords", [doctor.Address, expiry, root]));

        Assert.Equal("InvalidRecordsRoot", ex.ErrorName);
        Assert.Equal(PermissionStatus.None, (await Contract.GetPermissionAsync(patient.Address, doctor.Address)).Status);
    }

    [Fact]
    public async Task TheContractsLeaf_IsTheClientsLeaf()
    {
        var id = Guid.CreateVersion7();
        Assert.Equal(RecordSet.Leaf(id), await Contract.RecordLeafAsync(id));
    }

    private async Task<(EthKey Patient, EthKey Doctor, Guid[] Records)> PatientWithRecordsAsync(int count)
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var records = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = Guid.CreateVersion7();
            await Contract.AddRecordAsync(patient, records[i], ChainFixture.Sha256Of("record " + records[i]));
        }

        return (patient, doctor, records);
    }
}
