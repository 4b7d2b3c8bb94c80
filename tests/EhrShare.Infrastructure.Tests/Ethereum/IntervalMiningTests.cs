using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>The contract's main flow on a chain that mines one block a second, as a real private chain does.</summary>
public class IntervalMiningTests(IntervalChainFixture chain) : IClassFixture<IntervalChainFixture>
{
    [Fact]
    public async Task Deploy_OnIntervalChain_HasTheArtifactsCode() =>
        Assert.Equal(ContractArtifact.EhrAccess.DeployedBytecode, await chain.Rpc.EthGetCodeAsync(chain.Contract.Address));

    [Fact]
    public async Task RegisterAddRequestGrantLog_OnIntervalChain_DecidesAndRecords()
    {
        var contract = chain.Contract;
        var patientTask = chain.NewPatientAsync();
        var doctorTask = chain.NewDoctorAsync();
        var (patient, aid, pid) = await patientTask;
        var doctor = await doctorTask;
        Assert.Equal(patient.Address, await contract.PatientByAddressAsync(aid, pid));

        var recordId = Guid.CreateVersion7();
        await Task.WhenAll(
            contract.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("interval")),
            contract.RequestAccessAsync(doctor, patient.Address));
        await contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddHours(1));

        var allowed = await contract.LogAccessAsync(doctor, patient.Address, recordId);
        Assert.True(allowed.Allowed);

        await contract.RevokeAccessAsync(patient, doctor.Address);
        var denied = await contract.LogAccessAsync(doctor, patient.Address, recordId);
        Assert.Equal(DenialReason.NoPermission, denied.Reason);

        var history = await contract.GetEventsAsync(new EhrEventQuery { Patient = patient.Address, Doctor = doctor.Address });
        Assert.Equal(["AccessRequested", "PermissionGranted", "AccessGranted", "PermissionRevoked", "AccessDenied"], history.Select(e => e.EventName));
    }

    [Fact]
    public async Task TwoChangesOfAGrantsSet_InOneBlock_KeepTheSetAnEarlierReadWasDecidedOn()
    {
        var contract = chain.Contract;
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var records = new[] { Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() };
        await Task.WhenAll(records.Select(id => contract.AddRecordAsync(patient, id, ChainFixture.Sha256Of("interval set " + id))));
        var expiry = (await chain.ChainNowAsync()).AddHours(1);
        var first = new RecordSet([records[0]]);
        await contract.GrantRecordsAsync(patient, doctor.Address, expiry, first);
        var at = await chain.ChainNowAsync();
        var decision = await contract.AccessAtAsync(patient.Address, doctor.Address, records[0], at, first.ProofFor(records[0]));
        Assert.True(decision.Allowed);

        // Sent together, both changes are mined in the next block.
        var changes = await Task.WhenAll(
            contract.GrantRecordsAsync(patient, doctor.Address, expiry, new RecordSet([records[1]])),
            contract.GrantRecordsAsync(patient, doctor.Address, expiry, new RecordSet([records[2]])));
        Assert.Equal(changes[0].BlockNumber, changes[1].BlockNumber);

        var logged = await contract.LogAccessAsync(doctor, new LoggedAttempt(patient.Address, records[0], at, decision.DecidedAtBlock) { Proof = first.ProofFor(records[0]) });
        Assert.True(logged.Allowed);
    }

    [Fact]
    public async Task GrantAccess_ExpiredOnIntervalChain_IsDenied()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        await chain.Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddMinutes(5));

        await chain.AdvanceTimeAsync(TimeSpan.FromMinutes(6));

        Assert.False(await chain.Contract.HasAccessAsync(patient.Address, doctor.Address));
        Assert.Equal(DenialReason.PermissionExpired, (await chain.Contract.LogAccessAsync(doctor, patient.Address, null)).Reason);
    }

    [Fact]
    public async Task ForbiddenCalls_OnIntervalChain_RevertWithTheirReason()
    {
        var intruderTask = chain.NewFundedKeyAsync();
        var doctorTask = chain.NewDoctorAsync();
        var intruder = await intruderTask;
        var doctor = await doctorTask;

        var register = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Contract.RegisterDoctorAsync(intruder, intruder.Address));
        Assert.Equal("NotOwner", register.ErrorName);
        var grant = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Contract.GrantAccessAsync(doctor, intruder.Address, DateTimeOffset.UtcNow.AddDays(1)));
        Assert.Equal("NotPatient", grant.ErrorName);
    }

    [Fact]
    public async Task SuspendedDoctor_OnIntervalChain_IsDenied()
    {
        var patientTask = chain.NewPatientAsync();
        var doctorTask = chain.NewDoctorAsync();
        var (patient, _, _) = await patientTask;
        var doctor = await doctorTask;
        await Task.WhenAll(
            chain.Contract.GrantAccessAsync(patient, doctor.Address, DateTimeOffset.UtcNow.AddDays(1)),
            chain.Contract.SuspendAsync(chain.Manager, doctor.Address));

        Assert.False(await chain.Contract.HasAccessAsync(patient.Address, doctor.Address));
        Assert.Equal(DenialReason.DoctorSuspended, (await chain.Contract.LogAccessAsync(doctor, patient.Address, null)).Reason);
    }
}
