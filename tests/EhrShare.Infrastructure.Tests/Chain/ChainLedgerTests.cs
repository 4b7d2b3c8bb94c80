using System.Text.RegularExpressions;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Chain;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using EhrShare.Infrastructure.Tests.Ethereum;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Tests.Chain;

/// <summary>
/// <see cref="IAccessLedger"/> and <see cref="IAccountKeys"/> as the use cases call them, against a deployed contract on
/// a private anvil: every operation, the readable refusals, the views, and the decoded history with block times.
/// </summary>
public sealed partial class ChainLedgerTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>, IDisposable
{
    private static int _nextPid = 10_000;

    private readonly EphemeralDataProtectionProvider _keyRing = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }
    }

    private AccountSigner Signer => new(_keyRing);

    private ChainAccountKeys Keys => new(Signer, TimeProvider.System);

    private IAccessLedger Ledger(ChainOptions? options = null, TransactionSender? sender = null, BlockTimeCache? blockTimes = null) =>
        new ChainLedger(
            new EhrAccessContract(sender ?? chain.Sender, chain.Contract.Address, blockTimes),
            Signer,
            Options.Create(options ?? chain.Options));

    /// <summary>An approved user as the admin's approval makes one: a new account, funded, registered.</summary>
    private async Task<(ChainAccount Account, PatientAddress Address)> NewPatientAsync(IAccessLedger? ledger = null)
    {
        ledger ??= Ledger();
        var account = Keys.Create("patient-" + Guid.NewGuid().ToString("N"));
        var address = new PatientAddress(7, (uint)Interlocked.Increment(ref _nextPid));
        await ledger.FundAsync(account.Address, CancellationToken.None);
        await ledger.RegisterPatientAsync(account.Address, address, CancellationToken.None);
        return (account, address);
    }

    private async Task<ChainAccount> NewDoctorAsync(IAccessLedger? ledger = null)
    {
        ledger ??= Ledger();
        var account = Keys.Create("doctor-" + Guid.NewGuid().ToString("N"));
        await ledger.FundAsync(account.Address, CancellationToken.None);
        await ledger.RegisterDoctorAsync(account.Address, CancellationToken.None);
        return account;
    }

    private static async Task<LedgerRejectedException> RejectedAsync(Func<Task> action) =>
        await Assert.ThrowsAsync<LedgerRejectedException>(action);

    // ------------------------------------------------------------------ accounts and keys

    [Fact]
    public async Task Approval_CreatesFundsAndRegistersAccounts_ThatTheViewsThenShow()
    {
        var ledger = Ledger();
        var patient = Keys.Create("u-patient");
        var doctor = Keys.Create("u-doctor");
        var address = new PatientAddress(7, (uint)Interlocked.Increment(ref _nextPid));

        await ledger.FundAsync(patient.Address, default);
        await ledger.FundAsync(doctor.Address, default);
        await ledger.RegisterPatientAsync(patient.Address, address, default);
        await ledger.RegisterDoctorAsync(doctor.Address, default);

        Assert.Equal(TransactionSender.EtherToWei(chain.Options.AccountFundingEth), await chain.Rpc.EthGetBalanceAsync(EthAddress.Parse(patient.Address)));
        Assert.Equal(new LedgerAccount(LedgerRole.Patient, false, 0, address), await ledger.GetAccountAsync(patient.Address, default));
        Assert.Equal(new LedgerAccount(LedgerRole.Doctor, false, 0, null), await ledger.GetAccountAsync(doctor.Address, default));
        Assert.Equal(new LedgerAccount(LedgerRole.None, false, 0, null), await ledger.GetAccountAsync(EthKey.Generate().Address.ToString(), default));
        Assert.Equal(patient.Address, await ledger.FindPatientAsync(address, default));
        Assert.Null(await ledger.FindPatientAsync(new PatientAddress(7, 999_999_999), default));
    }

    [Fact]
    public async Task CreatedAccount_SignsTransactionsThatTheChainAttributesToItsAddress()
    {
        var ledger = Ledger();
        var (patient, _) = await NewPatientAsync(ledger);
        var recordId = Guid.CreateVersion7();

        await ledger.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("signed by the patient"), default);

        var added = Assert.Single(await ledger.GetEventsAsync(new LedgerEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock }, default), e => e.Name == "RecordAdded");
        var receipt = await chain.Rpc.EthGetTransactionReceiptAsync(added.TransactionHash);
        Assert.Equal(patient.Address, receipt!.From.ToString());
        Assert.Equal(patient.Address, added.Patient);
        Assert.Equal(recordId, added.RecordId);
    }

    [Fact]
    public void CreatedAccount_KeepsOnlyTheProtectedKey_ThatThisKeyRingOpens_AndNoOtherDoes()
    {
        var account = Keys.Create("u-keys");

        var key = Signer.Unprotect(account);
        Assert.Equal("u-keys", account.UserId);
        Assert.Equal(key.Address.ToString(), account.Address);
        var hex = key.ExportPrivateKeyHex();
        Assert.DoesNotContain(hex[2..], account.ProtectedPrivateKey, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(Keys.Create("u-keys").Address, account.Address);

        var otherRing = new AccountSigner(new EphemeralDataProtectionProvider());
        var ex = Assert.Throws<AccountKeyUnavailableException>(() => otherRing.Unprotect(account));
        Assert.Contains("key ring", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(hex[2..], ex.ToString(), StringComparison.OrdinalIgnoreCase);

        // A protected key moved to another account is refused, not used to sign for the wrong address.
        var other = Keys.Create("u-other");
        Assert.Throws<AccountKeyUnavailableException>(() => Signer.Unprotect(new ChainAccount { UserId = "u-other", Address = other.Address, ProtectedPrivateKey = account.ProtectedPrivateKey }));
    }

    [Fact]
    public async Task AccountFromAnotherKeyRing_CannotSign()
    {
        var (patient, _) = await NewPatientAsync();
        var foreign = new ChainLedger(chain.Contract, new AccountSigner(new EphemeralDataProtectionProvider()), Options.Create(chain.Options));

        await Assert.ThrowsAsync<AccountKeyUnavailableException>(() =>
            foreign.AddRecordAsync(patient, Guid.CreateVersion7(), ChainFixture.Sha256Of("x"), default));
    }

    // ------------------------------------------------------------------ patients and doctors

    [Fact]
    public async Task PatientAndDoctor_FullFlow_EveryOperationAndView()
    {
        var ledger = Ledger();
        var (patient, _) = await NewPatientAsync(ledger);
        var doctor = await NewDoctorAsync(ledger);
        var other = await NewDoctorAsync(ledger);
        var recordId = Guid.CreateVersion7();
        var blockHash = ChainFixture.Sha256Of("block " + recordId);

        await ledger.AddRecordAsync(patient, recordId, blockHash, default);
        Assert.Equal(blockHash, await ledger.GetRecordHashAsync(patient.Address, recordId, default));
        Assert.Null(await ledger.GetRecordHashAsync(patient.Address, Guid.CreateVersion7(), default));
        Assert.Equal(new LedgerPermission(LedgerPermissionStatus.None, null, null, null), await ledger.GetPermissionAsync(patient.Address, doctor.Address, default));

        await ledger.RequestAccessAsync(doctor, patient.Address, default);
        var requested = await ledger.GetPermissionAsync(patient.Address, doctor.Address, default);
        Assert.Equal(LedgerPermissionStatus.Requested, requested.Status);
        Assert.NotNull(requested.RequestedAt);
        Assert.False(await ledger.HasAccessAsync(patient.Address, doctor.Address, default));

        var expiry = (await chain.ChainNowAsync()).AddDays(30);
        await ledger.GrantAccessAsync(patient, doctor.Address, expiry, default);
        var granted = await ledger.GetPermissionAsync(patient.Address, doctor.Address, default);
        Assert.Equal(LedgerPermissionStatus.Granted, granted.Status);
        Assert.Equal(expiry.ToUnixTimeSeconds(), granted.ExpiresAt!.Value.ToUnixTimeSeconds());
        Assert.True(await ledger.HasAccessAsync(patient.Address, doctor.Address, default));

        await ledger.RequestAccessAsync(other, patient.Address, default);
        await ledger.DenyAccessAsync(patient, other.Address, default);
        Assert.Equal(LedgerPermissionStatus.Denied, (await ledger.GetPermissionAsync(patient.Address, other.Address, default)).Status);

        await ledger.RevokeAccessAsync(patient, doctor.Address, default);
        Assert.Equal(LedgerPermissionStatus.Revoked, (await ledger.GetPermissionAsync(patient.Address, doctor.Address, default)).Status);
        Assert.False(await ledger.HasAccessAsync(patient.Address, doctor.Address, default));

        await ledger.DeclareEmergencyAsync(other, patient.Address, ChainFixture.Sha256Of("unconscious in A&E"), default);
        Assert.True(await ledger.HasAccessAsync(patient.Address, other.Address, default));
        Assert.NotNull((await ledger.GetPermissionAsync(patient.Address, other.Address, default)).EmergencyUntil);

        await ledger.RemoveRecordAsync(patient, recordId, default);
        Assert.Null(await ledger.GetRecordHashAsync(patient.Address, recordId, default));
    }

    [Fact]
    public async Task Owner_SuspendReinstatePenalizeLiftPenalty()
    {
        var ledger = Ledger();
        var (patient, _) = await NewPatientAsync(ledger);
        var doctor = await NewDoctorAsync(ledger);

        await ledger.SuspendAsync(patient.Address, default);
        Assert.True((await ledger.GetAccountAsync(patient.Address, default)).Suspended);
        await ledger.ReinstateAsync(patient.Address, default);
        Assert.False((await ledger.GetAccountAsync(patient.Address, default)).Suspended);

        await ledger.PenalizeAsync(doctor.Address, default);
        await ledger.PenalizeAsync(doctor.Address, default);
        Assert.Equal(2u, (await ledger.GetAccountAsync(doctor.Address, default)).Penalties);
        await ledger.PenalizeAsync(doctor.Address, default);
        Assert.Equal(new LedgerAccount(LedgerRole.Doctor, true, 3, null), await ledger.GetAccountAsync(doctor.Address, default));
        await ledger.LiftPenaltyAsync(doctor.Address, default);
        Assert.Equal(new LedgerAccount(LedgerRole.Doctor, false, 0, null), await ledger.GetAccountAsync(doctor.Address, default));
    }

    // ------------------------------------------------------------------ refusals

    [Fact]
    public async Task Refusals_ArePlainSentences_WithTheContractsErrorName()
    {
        var ledger = Ledger();
        var (patient, address) = await NewPatientAsync(ledger);
        var doctor = await NewDoctorAsync(ledger);
        var recordId = Guid.CreateVersion7();
        await ledger.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("r"), default);

        async Task Expect(string errorName, string message, Func<Task> action)
        {
            var ex = await RejectedAsync(action);
            Assert.Equal(errorName, ex.ErrorName);
            Assert.Equal(message, ex.Message);
            Assert.IsAssignableFrom<ForbiddenException>(ex);
        }

        await Expect("NotGranted", "This doctor has no access to revoke.", () => ledger.RevokeAccessAsync(patient, doctor.Address, default));
        await Expect("NoPendingRequest", "This doctor has no pending request to deny.", () => ledger.DenyAccessAsync(patient, doctor.Address, default));
        await Expect("ExpiryNotInFuture", "The expiry date must be in the future.", () => ledger.GrantAccessAsync(patient, doctor.Address, DateTimeOffset.UtcNow.AddDays(-1), default));
        await Expect("RecordExists", "This record is already on the blockchain.", () => ledger.AddRecordAsync(patient, recordId, ChainFixture.Sha256Of("r"), default));
        await Expect("UnknownRecord", "This record does not exist or has already been removed.", () => ledger.RemoveRecordAsync(patient, Guid.CreateVersion7(), default));
        await Expect("InvalidBlockHash", "The record's fingerprint (block hash) is not valid.", () => ledger.AddRecordAsync(patient, Guid.CreateVersion7(), new byte[32], default));
        await Expect("PatientAddressTaken", $"The patient address {address} is already taken.", () => ledger.RegisterPatientAsync(EthKey.Generate().Address.ToString(), address, default));
        await Expect("AlreadyRegistered", "This account is already registered.", () => ledger.RegisterDoctorAsync(doctor.Address, default));
        await Expect("InvalidAccount", "That account is not registered.", () => ledger.SuspendAsync(EthKey.Generate().Address.ToString(), default));
        await Expect("NotPatient", "Your account is not registered as a patient on the blockchain.", () => ledger.AddRecordAsync(doctor, Guid.CreateVersion7(), ChainFixture.Sha256Of("x"), default));
        await Expect("NotDoctor", "Your account is not registered as a doctor on the blockchain.", () => ledger.RequestAccessAsync(patient, patient.Address, default));
        await Expect("NotDoctor", "That account is not a registered doctor.", () => ledger.GrantAccessAsync(patient, EthKey.Generate().Address.ToString(), DateTimeOffset.UtcNow.AddDays(1), default));
        await Expect("NotPatient", "That account is not a registered patient.", () => ledger.RequestAccessAsync(doctor, EthKey.Generate().Address.ToString(), default));
        await Expect("NotDoctor", "That account is not a registered doctor.", () => ledger.PenalizeAsync(patient.Address, default));

        await ledger.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), default);
        await Expect("AlreadyGranted", "You already have access to this patient's records.", () => ledger.RequestAccessAsync(doctor, patient.Address, default));

        await ledger.SuspendAsync(patient.Address, default);
        await Expect("AccountIsSuspended", "Your account is suspended; please contact the EHR manager.", () => ledger.AddRecordAsync(patient, Guid.CreateVersion7(), ChainFixture.Sha256Of("s"), default));
        await ledger.SuspendAsync(doctor.Address, default);
        await Expect("AccountIsSuspended", "Your account is suspended; please contact the EHR manager.", () => ledger.DeclareEmergencyAsync(doctor, patient.Address, ChainFixture.Sha256Of("e"), default));
    }

    [Fact]
    public async Task NotTheManagersKey_IsRefusedAsNotOwner_AndAnUnfundedAccountAsInsufficientFunds()
    {
        var impostor = await chain.NewFundedKeyAsync();
        var ledger = Ledger(chain.OptionsWith(o => o.ManagerPrivateKey = impostor.ExportPrivateKeyHex()));
        var ex = await RejectedAsync(() => ledger.RegisterDoctorAsync(EthKey.Generate().Address.ToString(), default));
        Assert.Equal("NotOwner", ex.ErrorName);
        Assert.Equal("Only the EHR manager can do this.", ex.Message);

        var owner = Ledger();
        var unfunded = Keys.Create("u-unfunded");
        await owner.RegisterPatientAsync(unfunded.Address, new PatientAddress(7, (uint)Interlocked.Increment(ref _nextPid)), default);
        var broke = await RejectedAsync(() => owner.AddRecordAsync(unfunded, Guid.CreateVersion7(), ChainFixture.Sha256Of("x"), default));
        Assert.Equal("InsufficientFunds", broke.ErrorName);
        Assert.Contains("not enough ether", broke.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChainUnreachable_IsDependencyUnavailable_ForViewsAndTransactions()
    {
        var dead = chain.OptionsWith(o =>
        {
            o.RpcUrl = $"http://127.0.0.1:{AnvilProcess.FreePort()}";
            o.RequestTimeout = TimeSpan.FromSeconds(2);
        });
        var http = new HttpClient { BaseAddress = new Uri(dead.RpcUrl), Timeout = dead.RequestTimeout };
        _disposables.Add(http);
        var rpc = new EthRpcClient(http);
        var sender = new TransactionSender(rpc, new NonceManager(), new FeeEstimator(Options.Create(dead)), Options.Create(dead));
        var ledger = Ledger(dead, sender);
        var account = Keys.Create("u-offline");

        var view = await Assert.ThrowsAsync<DependencyUnavailableException>(() => ledger.HasAccessAsync(account.Address, account.Address, default));
        var send = await Assert.ThrowsAsync<DependencyUnavailableException>(() => ledger.AddRecordAsync(account, Guid.CreateVersion7(), ChainFixture.Sha256Of("x"), default));
        var owner = await Assert.ThrowsAsync<DependencyUnavailableException>(() => ledger.FundAsync(account.Address, default));
        var history = await Assert.ThrowsAsync<DependencyUnavailableException>(() => ledger.GetEventsAsync(new LedgerEventQuery(), default));

        Assert.All([view, send, owner, history], e =>
        {
            Assert.Equal("chain", e.Dependency);
            Assert.StartsWith("The blockchain node is not reachable", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task MalformedAccount_IsAValidationError()
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Ledger().HasAccessAsync("0x1234", EthKey.Generate().Address.ToString(), default));
        Assert.Equal("patient", ex.Field);
    }

    // ------------------------------------------------------------------ history

    [Fact]
    public async Task Events_ByPatient_AreMappedWithTheirFieldsAndBlockTimes()
    {
        var ledger = Ledger();
        var (patient, address) = await NewPatientAsync(ledger);
        var doctor = await NewDoctorAsync(ledger);
        var recordId = Guid.CreateVersion7();
        var blockHash = ChainFixture.Sha256Of("history");
        var patientKey = Signer.Unprotect(patient);
        var doctorKey = Signer.Unprotect(doctor);
        await ledger.AddRecordAsync(patient, recordId, blockHash, default);
        await ledger.RequestAccessAsync(doctor, patient.Address, default);
        var expiry = (await chain.ChainNowAsync()).AddDays(2);
        await ledger.GrantAccessAsync(patient, doctor.Address, expiry, default);
        await chain.Contract.LogAccessAsync(doctorKey, EthAddress.Parse(patient.Address), recordId);
        await ledger.RevokeAccessAsync(patient, doctor.Address, default);
        await chain.Contract.LogAccessAsync(doctorKey, EthAddress.Parse(patient.Address), recordId);
        await ledger.DeclareEmergencyAsync(doctor, patient.Address, ChainFixture.Sha256Of("reason"), default);
        await chain.Contract.LogOwnAccessAsync(patientKey, recordId);
        await chain.Contract.LogOwnAccessAsync(patientKey, Guid.CreateVersion7());
        await ledger.SuspendAsync(patient.Address, default);

        var events = await ledger.GetEventsAsync(new LedgerEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock }, default);

        Assert.Equal(
            ["PatientRegistered", "RecordAdded", "AccessRequested", "PermissionGranted", "AccessGranted", "PermissionRevoked",
             "AccessDenied", "EmergencyAccess", "OwnerAccess", "OwnerAccess", "AccountSuspended"],
            events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(patient.Address, e.Patient));
        foreach (var e in events)
        {
            var block = await chain.Rpc.EthGetBlockByNumberAsync(e.BlockNumber);
            Assert.Equal(block!.Timestamp, e.BlockTime);
            Assert.Contains(e.TransactionHash, block.TransactionHashes);
        }

        Assert.Equal($"Patient address {address}", events[0].Detail);
        Assert.Equal((recordId, $"Block hash 0x{Convert.ToHexStringLower(blockHash)}"), (events[1].RecordId, events[1].Detail));
        Assert.Equal(doctor.Address, events[2].Doctor);
        Assert.Equal(expiry.ToUnixTimeSeconds(), events[3].ExpiresAt!.Value.ToUnixTimeSeconds());
        Assert.Equal((doctor.Address, recordId, (string?)null), (events[4].Doctor, events[4].RecordId, events[4].Detail));
        Assert.Equal((doctor.Address, recordId, "No permission (penalty count 1)"), (events[6].Doctor, events[6].RecordId, events[6].Detail));
        Assert.NotNull(events[7].ExpiresAt);
        Assert.Equal($"Reason commitment 0x{Convert.ToHexStringLower(ChainFixture.Sha256Of("reason"))}", events[7].Detail);
        Assert.Equal((null, recordId, null), (events[8].Doctor, events[8].RecordId, events[8].Detail));
        Assert.Equal("Unknown or removed record", events[9].Detail);
        Assert.Equal(("Suspended by the EHR manager", (string?)null), (events[10].Detail, events[10].Doctor));
    }

    [Fact]
    public async Task Events_ByDoctor_NameTheDoctorInSuspensions_AndBetweenTwoAreOnlyTheirs()
    {
        var ledger = Ledger();
        var (patient, _) = await NewPatientAsync(ledger);
        var (otherPatient, _) = await NewPatientAsync(ledger);
        var doctor = await NewDoctorAsync(ledger);
        var doctorKey = Signer.Unprotect(doctor);
        for (var i = 0; i < 3; i++)
        {
            await chain.Contract.LogAccessAsync(doctorKey, EthAddress.Parse(i == 0 ? otherPatient.Address : patient.Address), null);
        }

        var byDoctor = await ledger.GetEventsAsync(new LedgerEventQuery { Doctor = doctor.Address, FromBlock = chain.DeployBlock }, default);
        Assert.Equal(["DoctorRegistered", "AccessDenied", "AccessDenied", "AccessDenied", "AccountSuspended"], byDoctor.Select(e => e.Name));
        Assert.All(byDoctor, e => Assert.Equal(doctor.Address, e.Doctor));
        Assert.Equal(("Suspended after repeated denied access attempts", (string?)null), (byDoctor[^1].Detail, byDoctor[^1].Patient));

        // Without the registration in range the role comes from the contract.
        var fromLater = await ledger.GetEventsAsync(new LedgerEventQuery { Doctor = doctor.Address, FromBlock = byDoctor[^1].BlockNumber }, default);
        Assert.Equal(doctor.Address, Assert.Single(fromLater, e => e.Name == "AccountSuspended").Doctor);

        var between = await ledger.GetEventsAsync(new LedgerEventQuery { Patient = otherPatient.Address, Doctor = doctor.Address }, default);
        Assert.Equal(otherPatient.Address, Assert.Single(between).Patient);
    }

    [Fact]
    public async Task Events_FromANodeWithoutLogTimes_LookEachBlockUpOnce()
    {
        var http = new HttpClient(new StripLogTimestamps()) { BaseAddress = new Uri(chain.Anvil.Url) };
        _disposables.Add(http);
        var sender = new TransactionSender(new EthRpcClient(http), chain.Nonces, new FeeEstimator(Options.Create(chain.Options)), Options.Create(chain.Options));
        var cache = new BlockTimeCache();
        var ledger = Ledger(sender: sender, blockTimes: cache);
        var (patient, _) = await NewPatientAsync(Ledger());
        await Ledger().AddRecordAsync(patient, Guid.CreateVersion7(), ChainFixture.Sha256Of("t"), default);

        var first = await ledger.GetEventsAsync(new LedgerEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock }, default);
        var fetches = cache.Fetches;
        var again = await ledger.GetEventsAsync(new LedgerEventQuery { Patient = patient.Address, FromBlock = chain.DeployBlock }, default);

        Assert.Equal(2, first.Count);
        Assert.Equal(first.Select(e => e.BlockNumber).Distinct().Count(), fetches);
        Assert.Equal(fetches, cache.Fetches);
        foreach (var e in again)
        {
            Assert.Equal((await chain.Rpc.EthGetBlockByNumberAsync(e.BlockNumber))!.Timestamp, e.BlockTime);
        }
    }

    // ------------------------------------------------------------------ wiring

    [Fact]
    public async Task AddChain_RegistersTheLedgerScoped_AndTheAccountKeys()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chain:RpcUrl"] = chain.Anvil.Url,
            ["Chain:ChainId"] = ChainFixture.Invariant(AnvilProcess.ChainId),
            ["Chain:ManagerPrivateKey"] = AnvilProcess.DevKey0,
            ["Chain:ContractAddress"] = chain.Contract.Address.ToString(),
        });
        builder.Services.AddDataProtection(); // AddPersistence's key ring in the app
        builder.AddChain();
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();

        var ledger = scope.ServiceProvider.GetRequiredService<IAccessLedger>();
        Assert.Same(ledger, scope.ServiceProvider.GetRequiredService<IAccessLedger>());
        var account = host.Services.GetRequiredService<IAccountKeys>().Create("u-di");
        await ledger.FundAsync(account.Address, default);
        await ledger.RegisterDoctorAsync(account.Address, default);
        Assert.Equal(LedgerRole.Doctor, (await ledger.GetAccountAsync(account.Address, default)).Role);
        Assert.True(host.Services.GetRequiredService<IOptions<ChainOptions>>().Value.ReplaceOutdatedContract);
    }

    /// <summary>Makes anvil look like a node that puts no blockTimestamp in logs.</summary>
    private sealed partial class StripLogTimestamps() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Content = new StringContent(Timestamp().Replace(body, ""), System.Text.Encoding.UTF8, "application/json");
            return response;
        }

        [GeneratedRegex("\"blockTimestamp\":\"0x[0-9a-f]+\",?")]
        private static partial Regex Timestamp();
    }
}
