using System.Globalization;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Chain;

/// <summary>
/// <see cref="IAccessLedger"/> on the EhrAccess contract. Owner operations are signed with Chain:ManagerPrivateKey;
/// patients' and doctors' with their own account, whose key <see cref="AccountSigner"/> opens just to sign. Every
/// transaction returns once mined. Failures: a revert is a <see cref="LedgerRejectedException"/> with a plain reason
/// (<see cref="LedgerErrors"/>), an unreachable or slow node a <see cref="DependencyUnavailableException"/>.
/// <para>
/// Event <see cref="LedgerEvent.Detail"/> per event: PatientRegistered "Patient address AID-PID"; AccountSuspended the
/// cause; DoctorPenalized "Penalty count N"; RecordAdded "Block hash 0x…"; AccessDenied the reason and the doctor's
/// penalty count; EmergencyAccess "Reason commitment 0x…" (keccak256 of a salt and the stated reason;
/// <see cref="LedgerEvent.ExpiresAt"/> is the end of the window); EmergencyRefused why (Allowed false); EmergencyReviewed the
/// verdict and the declaration's block; OwnerAccess null when allowed, "Unknown or removed record" when not; settings their value.
/// AccountSuspended and AccountReinstated name the account as <see cref="LedgerEvent.Patient"/> or
/// <see cref="LedgerEvent.Doctor"/> by its role.
/// </para>
/// </summary>
internal sealed class ChainLedger(EhrAccessContract contract, AccountSigner signer, IOptions<ChainOptions> options) : IAccessLedger
{
    private EthKey? _manager;

    private EthKey Manager => _manager ??= options.Value.GetManagerKey();

    // ------------------------------------------------------------------ owner

    public Task FundAsync(string account, CancellationToken cancellationToken) =>
        AsOwnerAsync(_ => contract.Sender.FundAccountAsync(Address(account, nameof(account)), cancellationToken));

    public Task RegisterPatientAsync(string account, PatientAddress address, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.RegisterPatientAsync(owner, Address(account, nameof(account)), address.Aid, address.Pid, cancellationToken));

    public Task RegisterDoctorAsync(string account, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.RegisterDoctorAsync(owner, Address(account, nameof(account)), cancellationToken));

    public Task SuspendAsync(string account, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.SuspendAsync(owner, Address(account, nameof(account)), cancellationToken));

    public Task ReinstateAsync(string account, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.ReinstateAsync(owner, Address(account, nameof(account)), cancellationToken));

    public Task LiftPenaltyAsync(string doctor, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.LiftPenaltyAsync(owner, Address(doctor, nameof(doctor)), cancellationToken));

    public Task PenalizeAsync(string doctor, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.PenalizeAsync(owner, Address(doctor, nameof(doctor)), cancellationToken));

    public Task ReviewEmergencyAsync(string patient, string doctor, ulong declaredBlock, bool abusive, CancellationToken cancellationToken) =>
        AsOwnerAsync(owner => contract.ReviewEmergencyAsync(
            owner, Address(patient, nameof(patient)), Address(doctor, nameof(doctor)), declaredBlock, abusive, cancellationToken));

    // ------------------------------------------------------------------ patients

    public Task AddRecordAsync(ChainAccount patient, Guid recordId, byte[] blockHash, CancellationToken cancellationToken) =>
        AsAsync(patient, key => contract.AddRecordAsync(key, recordId, blockHash, cancellationToken));

    public async Task AddRecordAsync(ChainAccount patient, Guid recordId, byte[] blockHash, Task ready, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ready);
        try
        {
            await AsAsync(patient, key => contract.AddRecordAsync(key, recordId, blockHash, ready, cancellationToken));
        }
        catch when (!ready.IsCompleted)
        {
            // Failed before waiting for it (e.g. the account's key): still nothing is sent before it ends.
            await ready;
            throw;
        }
    }

    public Task RemoveRecordAsync(ChainAccount patient, Guid recordId, CancellationToken cancellationToken) =>
        AsAsync(patient, key => contract.RemoveRecordAsync(key, recordId, cancellationToken));

    public async Task<ulong> GrantAccessAsync(ChainAccount patient, string doctor, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ulong block = 0;
        await AsAsync(patient, async key => block = (await contract.GrantAccessAsync(key, Address(doctor, nameof(doctor)), expiresAt, cancellationToken)).BlockNumber);
        return block;
    }

    public async Task<ulong> GrantRecordsAsync(ChainAccount patient, string doctor, DateTimeOffset expiresAt, IReadOnlyCollection<Guid> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var set = new RecordSet(records);
        ulong block = 0;
        await AsAsync(patient, async key => block = (await contract.GrantRecordsAsync(key, Address(doctor, nameof(doctor)), expiresAt, set, cancellationToken)).BlockNumber);
        return block;
    }

    public Task DenyAccessAsync(ChainAccount patient, string doctor, CancellationToken cancellationToken) =>
        AsAsync(patient, key => contract.DenyAccessAsync(key, Address(doctor, nameof(doctor)), cancellationToken));

    public Task RevokeAccessAsync(ChainAccount patient, string doctor, CancellationToken cancellationToken) =>
        AsAsync(patient, key => contract.RevokeAccessAsync(key, Address(doctor, nameof(doctor)), cancellationToken));

    // ------------------------------------------------------------------ doctors

    public Task RequestAccessAsync(ChainAccount doctor, string patient, CancellationToken cancellationToken) =>
        AsAsync(doctor, key => contract.RequestAccessAsync(key, Address(patient, nameof(patient)), cancellationToken));

    public async Task<LedgerEmergency> DeclareEmergencyAsync(ChainAccount doctor, string patient, byte[] reasonCommitment, CancellationToken cancellationToken)
    {
        EmergencyDeclarationResult? result = null;
        await AsAsync(doctor, async key => result = await contract.DeclareEmergencyAsync(key, Address(patient, nameof(patient)), reasonCommitment, cancellationToken));
        return new LedgerEmergency((LedgerEmergencyRefusal)(int)result!.Refusal, result.Until, result.BlockNumber, result.TransactionHash);
    }

    public byte[] CommitToReason(ReadOnlySpan<byte> salt, string reason) => EhrAccessContract.ReasonCommitment(salt, reason);

    // ------------------------------------------------------------------ views

    public Task<bool> HasAccessAsync(string patient, string doctor, CancellationToken cancellationToken) =>
        ReadAsync(() => contract.HasAccessAsync(Address(patient, nameof(patient)), Address(doctor, nameof(doctor)), cancellationToken));

    public Task<LedgerAccessDecision> DecideAccessAsync(
        string patient, string doctor, Guid? recordId, byte[] proof, DateTimeOffset attemptedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return ReadAsync(async () =>
        {
            var d = await contract.AccessAtAsync(
                Address(patient, nameof(patient)), Address(doctor, nameof(doctor)), recordId, attemptedAt, [.. proof.Chunk(32)], cancellationToken);
            return new LedgerAccessDecision(d.Allowed, d.DecidedAtBlock)
            {
                Suspended = d.Suspended,
                Permission = (LedgerPermissionStatus)(int)d.Status,
                ExpiresAt = d.ExpiresAt,
                OutsideGrant = d.Reason == DenialReason.OutsideGrant,
            };
        });
    }

    public byte[] RecordProof(Guid? recordId, IReadOnlySet<Guid>? sharedRecords) =>
        recordId is { } id && sharedRecords is not null && sharedRecords.Contains(id)
            ? [.. new RecordSet(sharedRecords).ProofFor(id).SelectMany(hash => hash)]
            : [];

    public Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken) =>
        ReadAsync(() => contract.Sender.Rpc.EthBlockNumberAsync(cancellationToken));

    public Task<string?> FindPatientAsync(PatientAddress address, CancellationToken cancellationToken) =>
        ReadAsync(async () => (await contract.PatientByAddressAsync(address.Aid, address.Pid, cancellationToken))?.ToString());

    public Task<LedgerAccount> GetAccountAsync(string account, CancellationToken cancellationToken) =>
        ReadAsync(async () =>
        {
            var a = await contract.GetAccountAsync(Address(account, nameof(account)), cancellationToken);
            return new LedgerAccount(
                (LedgerRole)(int)a.Role,
                a.Suspended,
                a.Penalties,
                a.Role == EhrRole.Patient ? new PatientAddress(a.Aid, a.Pid) : null);
        });

    public Task<uint> GetPenaltyThresholdAsync(CancellationToken cancellationToken) =>
        ReadAsync(() => contract.PenaltyThresholdAsync(cancellationToken));

    public Task<LedgerSuspensionCause?> GetSuspensionCauseAsync(string account, CancellationToken cancellationToken) =>
        ReadAsync(async () => await contract.LastSuspensionCauseAsync(Address(account, nameof(account)), cancellationToken) switch
        {
            SuspensionCause.Owner => LedgerSuspensionCause.Manager,
            SuspensionCause.Penalty => LedgerSuspensionCause.RepeatedRefusals,
            _ => (LedgerSuspensionCause?)null,
        });

    public Task<LedgerPermission> GetPermissionAsync(string patient, string doctor, CancellationToken cancellationToken) =>
        ReadAsync(async () =>
        {
            var p = await contract.GetPermissionAsync(Address(patient, nameof(patient)), Address(doctor, nameof(doctor)), cancellationToken);
            return new LedgerPermission((LedgerPermissionStatus)(int)p.Status, p.ExpiresAt, p.RequestedAt, p.EmergencyUntil);
        });

    public Task<LedgerEmergencyAllowance> GetEmergencyAllowanceAsync(string doctor, CancellationToken cancellationToken) =>
        ReadAsync(async () =>
        {
            var (used, limit) = await contract.EmergenciesInPeriodAsync(Address(doctor, nameof(doctor)), cancellationToken);
            var settings = await contract.EmergencyLimitAsync(cancellationToken);
            return new LedgerEmergencyAllowance(used, limit, settings.Period);
        });

    public Task<byte[]?> GetRecordHashAsync(string patient, Guid recordId, CancellationToken cancellationToken) =>
        ReadAsync(async () => (await contract.GetRecordAsync(Address(patient, nameof(patient)), recordId, cancellationToken)).BlockHash);

    public Task<IReadOnlyList<LedgerEvent>> GetEventsAsync(LedgerEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadAsync(async () =>
        {
            var events = await contract.GetEventsAsync(
                new EhrEventQuery
                {
                    Patient = query.Patient is null ? null : Address(query.Patient, nameof(query.Patient)),
                    Doctor = query.Doctor is null ? null : Address(query.Doctor, nameof(query.Doctor)),
                    FromBlock = query.FromBlock,
                },
                cancellationToken);
            var roles = await RolesOfSuspendedAccountsAsync(events, cancellationToken);
            return (IReadOnlyList<LedgerEvent>)events.Select(e => ToLedgerEvent(e, roles)).ToList();
        });
    }

    // ------------------------------------------------------------------ mapping

    /// <summary>AccountSuspended/Reinstated name an account without its role: take it from the registration events read, else ask the contract (a role never changes).</summary>
    private async Task<Dictionary<EthAddress, EhrRole>> RolesOfSuspendedAccountsAsync(IReadOnlyList<EhrAccessEvent> events, CancellationToken cancellationToken)
    {
        var roles = new Dictionary<EthAddress, EhrRole>();
        foreach (var e in events)
        {
            switch (e)
            {
                case PatientRegisteredEvent p:
                    roles[p.Patient] = EhrRole.Patient;
                    break;
                case DoctorRegisteredEvent d:
                    roles[d.Doctor] = EhrRole.Doctor;
                    break;
            }
        }

        foreach (var account in events.Select(e => e switch
                 {
                     AccountSuspendedEvent s => s.Account,
                     AccountReinstatedEvent r => r.Account,
                     _ => (EthAddress?)null,
                 }).OfType<EthAddress>().Distinct())
        {
            if (!roles.ContainsKey(account))
            {
                roles[account] = (await contract.GetAccountAsync(account, cancellationToken)).Role;
            }
        }

        return roles;
    }

    internal static LedgerEvent ToLedgerEvent(EhrAccessEvent e, Dictionary<EthAddress, EhrRole> roles)
    {
        var evt = new LedgerEvent(e.EventName, e.BlockNumber, e.Timestamp, e.TransactionHash, null, null, null, null, null);
        LedgerEvent ForAccount(EthAddress account, string? detail) => roles.GetValueOrDefault(account) == EhrRole.Doctor
            ? evt with { Doctor = account.ToString(), Detail = detail }
            : evt with { Patient = account.ToString(), Detail = detail };

        return e switch
        {
            PatientRegisteredEvent p => evt with { Patient = p.Patient.ToString(), Detail = $"Patient address {new PatientAddress(p.Aid, p.Pid)}" },
            DoctorRegisteredEvent d => evt with { Doctor = d.Doctor.ToString() },
            AccountSuspendedEvent s => ForAccount(s.Account, s.Cause == SuspensionCause.Penalty
                ? "Suspended after repeated denied access attempts"
                : "Suspended by the EHR manager"),
            AccountReinstatedEvent r => ForAccount(r.Account, null),
            DoctorPenalizedEvent d => evt with { Doctor = d.Doctor.ToString(), Detail = Invariant($"Penalty count {d.Penalties}") },
            PenaltyLiftedEvent d => evt with { Doctor = d.Doctor.ToString() },
            PenaltyThresholdSetEvent t => evt with { Detail = Invariant($"Penalty threshold {t.Threshold}") },
            EmergencyWindowSetEvent w => evt with { Detail = Invariant($"Emergency window {w.Window.TotalMinutes:0.##} min") },
            RecordAddedEvent r => evt with { Patient = r.Patient.ToString(), RecordId = r.RecordId, Detail = $"Block hash {Hex.Encode(r.BlockHash)}" },
            RecordRemovedEvent r => evt with { Patient = r.Patient.ToString(), RecordId = r.RecordId },
            AccessRequestedEvent a => evt with { Patient = a.Patient.ToString(), Doctor = a.Doctor.ToString() },
            PermissionGrantedEvent g => evt with { Patient = g.Patient.ToString(), Doctor = g.Doctor.ToString(), ExpiresAt = g.ExpiresAt },
            PermissionDeniedEvent d => evt with { Patient = d.Patient.ToString(), Doctor = d.Doctor.ToString() },
            PermissionRevokedEvent r => evt with { Patient = r.Patient.ToString(), Doctor = r.Doctor.ToString() },
            AccessGrantedEvent a => evt with { Patient = a.Patient.ToString(), Doctor = a.Doctor.ToString(), RecordId = a.RecordId, Allowed = true, AttemptedAt = a.AttemptedAt },
            AccessDeniedEvent d => evt with
            {
                Patient = d.Patient.ToString(),
                Doctor = d.Doctor.ToString(),
                RecordId = d.RecordId,
                Detail = Invariant($"{LedgerErrors.Denial(d.Reason)} (penalty count {d.Penalties})"),
                Allowed = false,
                AttemptedAt = d.AttemptedAt,
            },
            EmergencyAccessEvent x => evt with
            {
                Patient = x.Patient.ToString(),
                Doctor = x.Doctor.ToString(),
                ExpiresAt = x.Until,
                Detail = $"Reason commitment {Hex.Encode(x.ReasonCommitment)}",
            },
            EmergencyRefusedEvent x => evt with
            {
                Patient = x.Patient.ToString(),
                Doctor = x.Doctor.ToString(),
                Detail = x.Reason == EmergencyRefusal.TooMany
                    ? "Emergency refused: the doctor's limit of emergencies in the period was reached"
                    : "Emergency refused: the patient ended the doctor's last emergency, not yet reviewed by the EHR manager",
                Allowed = false,
            },
            EmergencyReviewedEvent x => evt with
            {
                Patient = x.Patient.ToString(),
                Doctor = x.Doctor.ToString(),
                Detail = Invariant($"Emergency of block {x.DeclaredBlock} reviewed: {(x.Abusive ? "abusive (penalised)" : "justified")}"),
            },
            EmergencyLimitSetEvent l => evt with { Detail = Invariant($"Emergency limit {l.Limit} per {l.Period.TotalHours:0.##} h") },
            OwnerAccessEvent o => evt with
            {
                Patient = o.Patient.ToString(),
                RecordId = o.RecordId,
                Detail = o.Allowed ? null : LedgerErrors.Denial(DenialReason.UnknownRecord),
                Allowed = o.Allowed,
                AttemptedAt = o.AttemptedAt,
            },
            _ => evt,
        };
    }

    // ------------------------------------------------------------------ plumbing

    private async Task AsOwnerAsync(Func<EthKey, Task> send)
    {
        var owner = Manager;
        try
        {
            await send(owner);
        }
        catch (ChainException ex)
        {
            throw LedgerErrors.Map(ex, owner.Address);
        }
    }

    private async Task AsAsync(ChainAccount account, Func<EthKey, Task> send)
    {
        ArgumentNullException.ThrowIfNull(account);
        var key = signer.Unprotect(account);
        try
        {
            await send(key);
        }
        catch (ChainException ex)
        {
            throw LedgerErrors.Map(ex, key.Address);
        }
    }

    private static async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (ChainException ex)
        {
            throw LedgerErrors.Map(ex, null);
        }
    }

    private static EthAddress Address(string value, string name) =>
        EthAddress.TryParse(value?.Trim(), out var address)
            ? address
            : throw new ValidationFailedException($"'{value}' is not an account address (0x and 40 hex digits).", name);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
