using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>
/// The contract's emergency rules on a real anvil: at most emergencyLimit per doctor in a rolling emergencyPeriod, no new
/// emergency on a patient who ended the last one until the owner reviewed it, refusals logged (not reverted), and an
/// abusive verdict penalising the doctor up to suspension. Each test has its own chain (it moves the clock).
/// </summary>
public sealed class EmergencyLimitTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    private EhrAccessContract Contract => chain.Contract;

    private static byte[] Commitment(string reason) => EhrAccessContract.ReasonCommitment(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), reason);

    [Fact]
    public async Task DeclareEmergency_BeyondTheLimitInTheRollingPeriod_IsRefusedAndLogged_UntilTheOldestLeavesThePeriod()
    {
        Assert.Equal(new EmergencyLimit(2, TimeSpan.FromHours(24)), await Contract.EmergencyLimitAsync());
        var doctor = await chain.NewDoctorAsync();
        var patients = new List<EthKey>();
        for (var i = 0; i < 3; i++)
        {
            patients.Add((await chain.NewPatientAsync()).Key);
        }

        Assert.True((await Contract.DeclareEmergencyAsync(doctor, patients[0].Address, Commitment("first emergency here"))).Declared);
        await chain.AdvanceTimeAsync(TimeSpan.FromHours(10));
        Assert.True((await Contract.DeclareEmergencyAsync(doctor, patients[1].Address, Commitment("second emergency here"))).Declared);
        Assert.Equal((2u, 2u), await Contract.EmergenciesInPeriodAsync(doctor.Address));

        var refused = await Contract.DeclareEmergencyAsync(doctor, patients[2].Address, Commitment("third emergency here"));

        Assert.False(refused.Declared);
        Assert.Equal(EmergencyRefusal.TooMany, refused.Refusal);
        Assert.False(await Contract.HasAccessAsync(patients[2].Address, doctor.Address));
        var logged = Assert.IsType<EmergencyRefusedEvent>(Assert.Single(await Contract.GetEventsAsync(
            new EhrEventQuery { Patient = patients[2].Address, Doctor = doctor.Address })));
        Assert.Equal(EmergencyRefusal.TooMany, logged.Reason);
        Assert.Equal(refused.TransactionHash, logged.TransactionHash);

        // Rolling: 24 h after the first, one slot is free again (the second is still within its 24 h).
        await chain.AdvanceTimeAsync(TimeSpan.FromHours(14) + TimeSpan.FromMinutes(1));
        Assert.Equal((1u, 2u), await Contract.EmergenciesInPeriodAsync(doctor.Address));
        Assert.True((await Contract.DeclareEmergencyAsync(doctor, patients[2].Address, Commitment("third emergency here"))).Declared);
        Assert.Equal(EmergencyRefusal.TooMany, (await Contract.DeclareEmergencyAsync(doctor, patients[0].Address, Commitment("fourth one"))).Refusal);
    }

    [Fact]
    public async Task DeclareEmergency_AfterThePatientEndedTheLast_IsRefusedUntilTheOwnerReviewsIt()
    {
        await chain.AdvanceTimeAsync(TimeSpan.FromDays(2)); // the other tests' emergencies out of the period
        var (patient, _, _) = await chain.NewPatientAsync();
        var (other, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var first = await Contract.DeclareEmergencyAsync(doctor, patient.Address, Commitment("collapsed at home"));
        await Contract.RevokeAccessAsync(patient, doctor.Address);
        Assert.True(await Contract.EmergencyAwaitingReviewAsync(patient.Address, doctor.Address));

        var again = await Contract.DeclareEmergencyAsync(doctor, patient.Address, Commitment("collapsed at home again"));

        Assert.Equal(EmergencyRefusal.AwaitingReview, again.Refusal);
        Assert.False(await Contract.HasAccessAsync(patient.Address, doctor.Address));
        // Only that patient is held: another patient is not.
        Assert.True((await Contract.DeclareEmergencyAsync(doctor, other.Address, Commitment("road accident victim"))).Declared);

        // Reviewing an earlier block than the window's start would not lift it; the declaration's own block does.
        var review = await Contract.ReviewEmergencyAsync(chain.Manager, patient.Address, doctor.Address, first.BlockNumber, abusive: false);
        var reviewed = Assert.IsType<EmergencyReviewedEvent>(Assert.Single(Contract.DecodeEvents(review)));
        Assert.Equal((first.BlockNumber, false), (reviewed.DeclaredBlock, reviewed.Abusive));
        Assert.False(await Contract.EmergencyAwaitingReviewAsync(patient.Address, doctor.Address));
        Assert.Equal(0u, (await Contract.GetAccountAsync(doctor.Address)).Penalties);

        await chain.AdvanceTimeAsync(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.True((await Contract.DeclareEmergencyAsync(doctor, patient.Address, Commitment("collapsed at home again"))).Declared);
    }

    [Fact]
    public async Task ReviewEmergency_Abusive_PenalizesTheDoctor_AndSuspendsAtTheThreshold()
    {
        await chain.AdvanceTimeAsync(TimeSpan.FromDays(2));
        var doctor = await chain.NewDoctorAsync();
        var threshold = await Contract.PenaltyThresholdAsync();
        for (var i = 1; i <= threshold; i++)
        {
            var (patient, _, _) = await chain.NewPatientAsync();
            var declared = await Contract.DeclareEmergencyAsync(doctor, patient.Address, Commitment("curious about this patient"));
            Assert.True(declared.Declared);

            var review = await Contract.ReviewEmergencyAsync(chain.Manager, patient.Address, doctor.Address, declared.BlockNumber, abusive: true);

            var events = Contract.DecodeEvents(review);
            Assert.True(Assert.IsType<EmergencyReviewedEvent>(events[0]).Abusive);
            Assert.Equal((uint)i, Assert.IsType<DoctorPenalizedEvent>(events[1]).Penalties);
            var account = await Contract.GetAccountAsync(doctor.Address);
            Assert.Equal((uint)i, account.Penalties);
            Assert.Equal(i == threshold, account.Suspended);
            if (i == threshold)
            {
                Assert.Equal(SuspensionCause.Penalty, Assert.IsType<AccountSuspendedEvent>(events[2]).Cause);
            }

            await chain.AdvanceTimeAsync(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        }

        // Suspended: no emergency at all (a revert: the account cannot act).
        var (next, _, _) = await chain.NewPatientAsync();
        var error = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.DeclareEmergencyAsync(doctor, next.Address, Commitment("another one")));
        Assert.Equal("AccountIsSuspended", error.Reason.Name);
    }

    [Fact]
    public async Task EmergencySettings_AreTheOwnersOnly_BoundedAndChangeTheLimit()
    {
        var intruder = await chain.NewDoctorAsync();
        var (patient, _, _) = await chain.NewPatientAsync();
        var notOwner = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SetEmergencyLimitAsync(intruder, 6, TimeSpan.FromHours(1)));
        Assert.Equal("NotOwner", notOwner.Reason.Name);
        await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SetEmergencyLimitAsync(chain.Manager, 0, TimeSpan.FromHours(24)));
        await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SetEmergencyLimitAsync(chain.Manager, 7, TimeSpan.FromHours(24)));
        await Assert.ThrowsAsync<ContractRevertException>(() => Contract.SetEmergencyLimitAsync(chain.Manager, 2, TimeSpan.FromMinutes(59)));
        var review = await Assert.ThrowsAsync<ContractRevertException>(() => Contract.ReviewEmergencyAsync(chain.Manager, patient.Address, intruder.Address, 1, false));
        Assert.Equal("NoEmergency", review.Reason.Name);
        Assert.Equal(new EmergencyLimit(2, TimeSpan.FromHours(24)), await Contract.EmergencyLimitAsync());

        var set = await Contract.SetEmergencyLimitAsync(chain.Manager, 1, TimeSpan.FromHours(2));
        try
        {
            Assert.Equal(new EmergencyLimitSetEvent(1, TimeSpan.FromHours(2)), Assert.IsType<EmergencyLimitSetEvent>(Assert.Single(Contract.DecodeEvents(set))) with
            {
                BlockNumber = 0,
                TransactionHash = "",
                LogIndex = 0,
                Timestamp = null,
            });
            await chain.AdvanceTimeAsync(TimeSpan.FromDays(2));
            var doctor = await chain.NewDoctorAsync();
            Assert.True((await Contract.DeclareEmergencyAsync(doctor, patient.Address, Commitment("first of one"))).Declared);
            Assert.Equal(EmergencyRefusal.TooMany, (await Contract.DeclareEmergencyAsync(doctor, patient.Address, Commitment("second of one"))).Refusal);
        }
        finally
        {
            await Contract.SetEmergencyLimitAsync(chain.Manager, 2, TimeSpan.FromHours(24));
        }
    }
}
