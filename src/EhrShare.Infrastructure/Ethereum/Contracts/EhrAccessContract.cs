using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

/// <summary>Which events to read: by patient, by doctor, both, or all; over a block range.</summary>
public sealed record EhrEventQuery
{
    public EthAddress? Patient { get; init; }

    public EthAddress? Doctor { get; init; }

    public ulong FromBlock { get; init; }

    /// <summary>Inclusive; null is the latest block.</summary>
    public ulong? ToBlock { get; init; }
}

/// <summary>
/// The EhrAccess contract, typed: one method per contract function. Views read the latest state with
/// <c>eth_call</c>; transactions are signed by the given account's key, sent, and awaited (a revert throws
/// <see cref="ContractRevertException"/> with the contract's custom error, e.g. <c>NotOwner</c>). Who signs what:
/// the owner (EHR manager) registers, suspends, reinstates, penalises and configures; a patient adds and removes
/// records and grants, denies and revokes; a doctor requests access, logs each access attempt and declares emergencies.
/// </summary>
public sealed class EhrAccessContract
{
    private readonly TransactionSender _sender;
    private readonly ContractAbi _abi;
    private readonly BlockTimeCache _blockTimes;

    /// <param name="sender">Sends the transactions (and its RPC client reads).</param>
    /// <param name="address">Where the contract is.</param>
    /// <param name="blockTimes">Shared block times for event histories; a private one when null.</param>
    public EhrAccessContract(TransactionSender sender, EthAddress address, BlockTimeCache? blockTimes = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        _sender = sender;
        Address = address;
        _abi = ContractArtifact.EhrAccess.Abi;
        _blockTimes = blockTimes ?? new BlockTimeCache();
    }

    /// <summary>The sender this contract's transactions go through (for callers that sign and send separately).</summary>
    public TransactionSender Sender => _sender;

    public EthAddress Address { get; }

    public ContractAbi Abi => _abi;

    private EthRpcClient Rpc => _sender.Rpc;

    // ------------------------------------------------------------------ views

    public async Task<EthAddress> OwnerAsync(CancellationToken cancellationToken = default) =>
        (EthAddress)(await CallAsync("owner", [], cancellationToken))[0]!;

    public async Task<uint> PenaltyThresholdAsync(CancellationToken cancellationToken = default) =>
        (uint)(BigInteger)(await CallAsync("penaltyThreshold", [], cancellationToken))[0]!;

    /// <summary>The cause in the account's last <c>AccountSuspended</c> event (its account is indexed), or null if none.</summary>
    public async Task<SuspensionCause?> LastSuspensionCauseAsync(EthAddress account, CancellationToken cancellationToken = default)
    {
        var suspended = _abi.Event("AccountSuspended");
        var logs = await Rpc.EthGetLogsAsync(
            new LogFilter { FromBlock = BlockParameter.Number(0), ToBlock = BlockParameter.Latest, Addresses = [Address], Topics = [[suspended.Topic], [Topic(account)]] },
            cancellationToken);
        var last = logs.Where(l => !l.Removed).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).LastOrDefault();
        return last is null ? null : (EhrAccessEventDecoder.Decode(last, _abi) as AccountSuspendedEvent)?.Cause;
    }

    public async Task<TimeSpan> EmergencyWindowAsync(CancellationToken cancellationToken = default) =>
        TimeSpan.FromSeconds((double)(BigInteger)(await CallAsync("emergencyWindow", [], cancellationToken))[0]!);

    /// <summary>The owner's emergency limit with its rolling period.</summary>
    public async Task<EmergencyLimit> EmergencyLimitAsync(CancellationToken cancellationToken = default) =>
        new((uint)(BigInteger)(await CallAsync("emergencyLimit", [], cancellationToken))[0]!, await EmergencyPeriodAsync(cancellationToken));

    public async Task<TimeSpan> EmergencyPeriodAsync(CancellationToken cancellationToken = default) =>
        TimeSpan.FromSeconds((double)(BigInteger)(await CallAsync("emergencyPeriod", [], cancellationToken))[0]!);

    /// <summary>Whether the doctor may read the patient's records now (a grant not expired, or an emergency window; not suspended).</summary>
    public async Task<bool> HasAccessAsync(EthAddress patient, EthAddress doctor, CancellationToken cancellationToken = default) =>
        (bool)(await CallAsync("hasAccess", [patient, doctor], cancellationToken))[0]!;

    /// <summary>
    /// The decision to act on for a read made at <paramref name="attemptedAt"/>: as of the latest block, with expiries
    /// judged at that time. Log the read with the same time and <see cref="AccessDecision.DecidedAtBlock"/>
    /// (<c>LogAccessAsync</c>) and the chain records the same decision, whatever is mined in between.
    /// </summary>
    public Task<AccessDecision> AccessAtAsync(EthAddress patient, EthAddress doctor, DateTimeOffset attemptedAt, CancellationToken cancellationToken = default) =>
        AccessAtAsync(patient, doctor, null, attemptedAt, [], cancellationToken);

    /// <summary>
    /// The decision for a read of one record (null: the record list) with its <paramref name="proof"/> under a grant of
    /// chosen records (<see cref="RecordSet.ProofFor"/>; empty under a grant of all records). Log the read with the same
    /// record, proof, time and <see cref="AccessDecision.DecidedAtBlock"/> and the chain records the same decision.
    /// </summary>
    public async Task<AccessDecision> AccessAtAsync(
        EthAddress patient, EthAddress doctor, Guid? recordId, DateTimeOffset attemptedAt, IReadOnlyList<byte[]> proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var v = await CallAsync("accessAt", [patient, doctor, RecordBytes(recordId), Seconds(attemptedAt), ProofArgument(proof)], cancellationToken);
        return new AccessDecision((bool)v[0]!, (ulong)(BigInteger)v[1]!)
        {
            Suspended = (bool)v[2]!,
            Status = (PermissionStatus)(int)(BigInteger)v[3]!,
            ExpiresAt = Time(v[4]),
            Reason = (DenialReason)(int)(BigInteger)v[5]!,
        };
    }

    /// <summary>The contract's leaf for a record in a grant's Merkle tree (the same as <see cref="RecordSet.Leaf"/>, computed off the chain).</summary>
    public async Task<byte[]> RecordLeafAsync(Guid recordId, CancellationToken cancellationToken = default) =>
        (byte[])(await CallAsync("recordLeaf", [RecordIds.ToBytes16(recordId)], cancellationToken))[0]!;

    /// <summary>
    /// The set of records the patient's grant to the doctor covers as of block <paramref name="atBlock"/>: its Merkle
    /// root as the chain keeps it (the top 224 bits; null for all records) and the block from which it holds.
    /// </summary>
    public async Task<(byte[]? RecordsRoot, ulong FromBlock)> GrantScopeAtAsync(EthAddress patient, EthAddress doctor, ulong atBlock, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync("grantScopeAt", [patient, doctor, atBlock], cancellationToken);
        var root = (byte[])v[0]!;
        return (root.AsSpan().ContainsAnyExcept((byte)0) ? root : null, (ulong)(BigInteger)v[1]!);
    }

    /// <summary>The account registered for the patient address {AID, PID}, or null.</summary>
    public async Task<EthAddress?> PatientByAddressAsync(uint aid, uint pid, CancellationToken cancellationToken = default)
    {
        var account = (EthAddress)(await CallAsync("patientByAddress", [aid, pid], cancellationToken))[0]!;
        return account.IsZero ? null : account;
    }

    public async Task<EhrAccount> GetAccountAsync(EthAddress account, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync("accountOf", [account], cancellationToken);
        return new EhrAccount(account, (EhrRole)(int)(BigInteger)v[0]!, (bool)v[1]!, (uint)(BigInteger)v[2]!, (uint)(BigInteger)v[3]!, (uint)(BigInteger)v[4]!);
    }

    public async Task<EhrPermission> GetPermissionAsync(EthAddress patient, EthAddress doctor, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync("permissionOf", [patient, doctor], cancellationToken);
        return new EhrPermission((PermissionStatus)(int)(BigInteger)v[0]!, Time(v[1]), Time(v[2]), Time(v[3]));
    }

    /// <summary>The record's block hash as the patient recorded it (the app checks the rebuilt block against it).</summary>
    public async Task<EhrRecordState> GetRecordAsync(EthAddress patient, Guid recordId, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync("recordOf", [patient, RecordIds.ToBytes16(recordId)], cancellationToken);
        var hash = (byte[])v[0]!;
        return new EhrRecordState(hash.AsSpan().ContainsAnyExcept((byte)0) ? hash : null, (bool)v[1]!);
    }

    // ------------------------------------------------------------------ owner

    public Task<RpcReceipt> RegisterPatientAsync(EthKey owner, EthAddress patient, uint aid, uint pid, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "registerPatient", [patient, aid, pid], cancellationToken);

    public Task<RpcReceipt> RegisterDoctorAsync(EthKey owner, EthAddress doctor, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "registerDoctor", [doctor], cancellationToken);

    public Task<RpcReceipt> SuspendAsync(EthKey owner, EthAddress account, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "suspend", [account], cancellationToken);

    /// <summary>Lifts a suspension but keeps the penalty count (see <see cref="LiftPenaltyAsync"/>).</summary>
    public Task<RpcReceipt> ReinstateAsync(EthKey owner, EthAddress account, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "reinstate", [account], cancellationToken);

    /// <summary>Adds a penalty to a doctor (e.g. an abused emergency access); suspends at the threshold.</summary>
    public Task<RpcReceipt> PenalizeAsync(EthKey owner, EthAddress doctor, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "penalize", [doctor], cancellationToken);

    /// <summary>Clears a doctor's penalty count and suspension.</summary>
    public Task<RpcReceipt> LiftPenaltyAsync(EthKey owner, EthAddress doctor, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "liftPenalty", [doctor], cancellationToken);

    public Task<RpcReceipt> SetPenaltyThresholdAsync(EthKey owner, uint threshold, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "setPenaltyThreshold", [threshold], cancellationToken);

    public Task<RpcReceipt> SetEmergencyWindowAsync(EthKey owner, TimeSpan window, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "setEmergencyWindow", [(ulong)window.TotalSeconds], cancellationToken);

    /// <summary>At most <paramref name="limit"/> (1 to 6) emergencies per doctor in any <paramref name="period"/> (1 hour to 90 days).</summary>
    public Task<RpcReceipt> SetEmergencyLimitAsync(EthKey owner, uint limit, TimeSpan period, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "setEmergencyLimit", [limit, (ulong)period.TotalSeconds], cancellationToken);

    /// <summary>
    /// The owner's verdict on the doctor's emergency on the patient declared in block <paramref name="declaredBlock"/>:
    /// abusive adds a penalty (suspending at the threshold); either way it lifts the cool-down of an emergency the patient ended.
    /// </summary>
    public Task<RpcReceipt> ReviewEmergencyAsync(EthKey owner, EthAddress patient, EthAddress doctor, ulong declaredBlock, bool abusive, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "reviewEmergency", [patient, doctor, declaredBlock, abusive], cancellationToken);

    // ------------------------------------------------------------------ patients

    /// <summary>Records a record's id and the SHA-256 of its block (32 bytes).</summary>
    public Task<RpcReceipt> AddRecordAsync(EthKey patient, Guid recordId, byte[] blockHash, CancellationToken cancellationToken = default) =>
        AddRecordAsync(patient, recordId, blockHash, Task.CompletedTask, cancellationToken);

    /// <summary>
    /// <see cref="AddRecordAsync(EthKey, Guid, byte[], CancellationToken)"/>, its gas estimated (a revert surfaces there)
    /// while <paramref name="ready"/> runs (e.g. the shares being stored); signed and sent only once it succeeded.
    /// </summary>
    public async Task<RpcReceipt> AddRecordAsync(EthKey patient, Guid recordId, byte[] blockHash, Task ready, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(blockHash);
        ArgumentNullException.ThrowIfNull(ready);
        if (blockHash.Length != 32)
        {
            throw new ArgumentException("A block hash is 32 bytes (SHA-256).", nameof(blockHash));
        }

        var estimating = _sender.WithGasLimitAsync(patient.Address, CreateTransaction("addRecord", RecordIds.ToBytes16(recordId), blockHash), cancellationToken);
        try
        {
            await ready;
        }
        catch
        {
            _ = estimating.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }

        return await _sender.SendAndWaitAsync(patient, await estimating, cancellationToken);
    }

    public Task<RpcReceipt> RemoveRecordAsync(EthKey patient, Guid recordId, CancellationToken cancellationToken = default) =>
        SendAsync(patient, "removeRecord", [RecordIds.ToBytes16(recordId)], cancellationToken);

    /// <summary>Grants all of the patient's records (those added later too); over a grant in force, extends it and widens its set.</summary>
    public Task<RpcReceipt> GrantAccessAsync(EthKey patient, EthAddress doctor, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        SendAsync(patient, "grantAccess", [doctor, (ulong)expiresAt.ToUnixTimeSeconds()], cancellationToken);

    /// <summary>
    /// Grants a chosen set of the patient's records (<see cref="RecordSet.Root"/>); over a grant in force, extends it and
    /// replaces its set from the block it is mined in (reads decided before keep the old set).
    /// </summary>
    public Task<RpcReceipt> GrantRecordsAsync(EthKey patient, EthAddress doctor, DateTimeOffset expiresAt, RecordSet records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        return SendAsync(patient, "grantRecords", [doctor, (ulong)expiresAt.ToUnixTimeSeconds(), records.Root], cancellationToken);
    }

    /// <summary>Refuses a pending request.</summary>
    public Task<RpcReceipt> DenyAccessAsync(EthKey patient, EthAddress doctor, CancellationToken cancellationToken = default) =>
        SendAsync(patient, "denyAccess", [doctor], cancellationToken);

    /// <summary>Ends a grant and any emergency window.</summary>
    public Task<RpcReceipt> RevokeAccessAsync(EthKey patient, EthAddress doctor, CancellationToken cancellationToken = default) =>
        SendAsync(patient, "revokeAccess", [doctor], cancellationToken);

    /// <summary>
    /// Logs the patient's read of their own record (null: the record list), from the patient's own account, made at
    /// <paramref name="attemptedAt"/> on the state of block <paramref name="decidedAtBlock"/> (null: now, i.e. the
    /// block it is mined in). Never reverts for a registered patient; <see cref="AccessLogResult.Allowed"/> is false
    /// (reason <see cref="DenialReason.UnknownRecord"/>) for a record unknown or removed by then.
    /// </summary>
    public async Task<AccessLogResult> LogOwnAccessAsync(
        EthKey patient, Guid? recordId, DateTimeOffset? attemptedAt = null, ulong? decidedAtBlock = null, CancellationToken cancellationToken = default)
    {
        var receipt = await SendAsync(patient, "logOwnAccess", LogOwnAccessArguments(recordId, attemptedAt, decidedAtBlock), cancellationToken);
        return ReadAccessLogResult(receipt, patient.Address)
            ?? throw new ChainException($"logOwnAccess transaction {receipt.TransactionHash} emitted no OwnerAccess event.");
    }

    // ------------------------------------------------------------------ doctors

    public Task<RpcReceipt> RequestAccessAsync(EthKey doctor, EthAddress patient, CancellationToken cancellationToken = default) =>
        SendAsync(doctor, "requestAccess", [patient], cancellationToken);

    /// <summary>
    /// Logs the doctor's attempt to read a patient's record (null: the record list), made at
    /// <paramref name="attemptedAt"/> and decided on block <paramref name="decidedAtBlock"/> (what
    /// <c>AccessAtAsync</c> answered; null for either: now, i.e. the block it is mined in). Sent from the doctor's
    /// own account (it is the doctor's attempt); never reverts for a registered doctor: the contract decides as of that
    /// block and time, and a refusal is recorded and penalised.
    /// </summary>
    public Task<AccessLogResult> LogAccessAsync(
        EthKey doctor, EthAddress patient, Guid? recordId, DateTimeOffset? attemptedAt = null, ulong? decidedAtBlock = null, CancellationToken cancellationToken = default) =>
        LogAccessAsync(doctor, new LoggedAttempt(patient, recordId, attemptedAt, decidedAtBlock), cancellationToken);

    /// <summary>
    /// <see cref="LogAccessAsync(EthKey, EthAddress, Guid?, DateTimeOffset?, ulong?, CancellationToken)"/> for an attempt
    /// with its proof under a grant of chosen records (<see cref="LoggedAttempt.Proof"/>).
    /// </summary>
    public async Task<AccessLogResult> LogAccessAsync(EthKey doctor, LoggedAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var receipt = await SendAsync(doctor, "logAccess", LogAccessArguments(attempt), cancellationToken);
        return ReadAccessLogResult(receipt, doctor.Address)
            ?? throw new ChainException($"logAccess transaction {receipt.TransactionHash} emitted neither AccessGranted nor AccessDenied.");
    }

    /// <summary>The arguments of <c>logAccess</c>, without a proof; a null time or block stands for "now" (the contract clamps to its block).</summary>
    public static IReadOnlyList<object?> LogAccessArguments(EthAddress patient, Guid? recordId, DateTimeOffset? attemptedAt, ulong? decidedAtBlock) =>
        LogAccessArguments(new LoggedAttempt(patient, recordId, attemptedAt, decidedAtBlock));

    /// <summary>The arguments of <c>logAccess</c> (patient, recordId, attemptedAt, decidedAtBlock, proof).</summary>
    public static IReadOnlyList<object?> LogAccessArguments(LoggedAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return
        [
            attempt.Patient, RecordBytes(attempt.RecordId), attempt.AttemptedAt is { } t ? Seconds(t) : ulong.MaxValue,
            attempt.DecidedAtBlock ?? ulong.MaxValue, ProofArgument(attempt.Proof),
        ];
    }

    /// <summary>The arguments of <c>logOwnAccess</c>; a null time or block stands for "now".</summary>
    public static IReadOnlyList<object?> LogOwnAccessArguments(Guid? recordId, DateTimeOffset? attemptedAt, ulong? decidedAtBlock) =>
        [RecordBytes(recordId), attemptedAt is { } t ? Seconds(t) : ulong.MaxValue, decidedAtBlock ?? ulong.MaxValue];

    /// <summary>
    /// Logs several of the doctor's attempts in one transaction from the doctor's own account, in the given order, each
    /// decided as <c>LogAccessAsync</c> decides one (as of its own block and time, penalties counted in turn). The
    /// results are in the attempts' order. Reverts for an empty batch or a sender that is not a registered doctor.
    /// </summary>
    public async Task<IReadOnlyList<AccessLogResult>> LogAccessBatchAsync(EthKey doctor, IReadOnlyList<LoggedAttempt> attempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(doctor);
        ArgumentNullException.ThrowIfNull(attempts);
        var receipt = await SendAsync(doctor, "logAccessBatch", LogAccessBatchArguments(attempts), cancellationToken);
        var results = ReadAccessLogResults(receipt, doctor.Address);
        return results.Count == attempts.Count
            ? results
            : throw new ChainException($"logAccessBatch transaction {receipt.TransactionHash} logged {results.Count} attempts of {attempts.Count}.");
    }

    /// <summary>The argument of <c>logAccessBatch</c> (an array of (patient, recordId, attemptedAt, decidedAtBlock, proof)).</summary>
    public static IReadOnlyList<object?> LogAccessBatchArguments(IReadOnlyList<LoggedAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        return [attempts.Select(a => (object?)LogAccessArguments(a).ToArray()).ToArray()];
    }

    /// <summary>
    /// What a mined <c>logAccess</c> or <c>logOwnAccess</c> transaction recorded, from its events; null when the receipt
    /// holds none of AccessGranted, AccessDenied or OwnerAccess from this contract.
    /// </summary>
    public AccessLogResult? ReadAccessLogResult(RpcReceipt receipt, EthAddress actor) =>
        ReadAccessLogResults(receipt, actor) is { Count: > 0 } results ? results[0] : null;

    /// <summary>
    /// Every attempt of the actor a mined <c>logAccess</c>, <c>logAccessBatch</c> or <c>logOwnAccess</c> transaction
    /// recorded, in the order logged (the batch's order): one per AccessGranted, AccessDenied or OwnerAccess event. A
    /// denial that suspended the doctor (AccountSuspended follows it) says so.
    /// </summary>
    public IReadOnlyList<AccessLogResult> ReadAccessLogResults(RpcReceipt receipt, EthAddress actor)
    {
        var results = new List<AccessLogResult>();
        foreach (var e in DecodeEvents(receipt))
        {
            switch (e)
            {
                case AccessDeniedEvent denied when denied.Doctor == actor:
                    results.Add(new AccessLogResult(false, denied.Reason, denied.Penalties, false, receipt.TransactionHash, receipt.BlockNumber)
                    { Patient = denied.Patient, RecordId = denied.RecordId });
                    break;
                case AccessGrantedEvent granted when granted.Doctor == actor:
                    results.Add(new AccessLogResult(true, DenialReason.None, 0, false, receipt.TransactionHash, receipt.BlockNumber)
                    { Patient = granted.Patient, RecordId = granted.RecordId });
                    break;
                case OwnerAccessEvent own when own.Patient == actor:
                    results.Add(new AccessLogResult(own.Allowed, own.Allowed ? DenialReason.None : DenialReason.UnknownRecord, 0, false, receipt.TransactionHash, receipt.BlockNumber)
                    { Patient = own.Patient, RecordId = own.RecordId });
                    break;
                case AccountSuspendedEvent suspended when suspended.Account == actor && results.Count > 0 && !results[^1].Allowed:
                    results[^1] = results[^1] with { DoctorSuspended = true };
                    break;
            }
        }

        return results;
    }

    /// <summary>
    /// Break-glass access for the owner's emergency window; <paramref name="reasonCommitment"/> is keccak256(salt ‖ reason)
    /// (<see cref="ReasonCommitment"/>). The contract may refuse it without reverting (too many in the period, or the last
    /// one ended by the patient and not yet reviewed): the result says which, and the refusal is logged on the chain.
    /// </summary>
    public async Task<EmergencyDeclarationResult> DeclareEmergencyAsync(EthKey doctor, EthAddress patient, byte[] reasonCommitment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reasonCommitment);
        if (reasonCommitment.Length != 32)
        {
            throw new ArgumentException("A reason commitment is 32 bytes.", nameof(reasonCommitment));
        }

        var receipt = await SendAsync(doctor, "declareEmergency", [patient, reasonCommitment], cancellationToken);
        foreach (var e in DecodeEvents(receipt))
        {
            switch (e)
            {
                case EmergencyAccessEvent declared:
                    return new EmergencyDeclarationResult(EmergencyRefusal.None, declared.Until, declared.ReasonCommitment, receipt.TransactionHash, receipt.BlockNumber);
                case EmergencyRefusedEvent refused:
                    return new EmergencyDeclarationResult(refused.Reason, null, null, receipt.TransactionHash, receipt.BlockNumber);
            }
        }

        throw new ChainException($"declareEmergency transaction {receipt.TransactionHash} emitted neither EmergencyAccess nor EmergencyRefused.");
    }

    /// <summary>keccak256(salt ‖ UTF-8 reason): what goes on the chain for an emergency's reason. The salt is 32 random bytes.</summary>
    public static byte[] ReasonCommitment(ReadOnlySpan<byte> salt, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (salt.Length != 32)
        {
            throw new ArgumentException("The salt is 32 bytes.", nameof(salt));
        }

        var text = System.Text.Encoding.UTF8.GetBytes(reason);
        var input = new byte[32 + text.Length];
        salt.CopyTo(input);
        text.CopyTo(input.AsSpan(32));
        return Keccak256.Hash(input);
    }

    /// <summary>How many emergencies the doctor declared in the current rolling period, and the owner's limit.</summary>
    public async Task<(uint Count, uint Limit)> EmergenciesInPeriodAsync(EthAddress doctor, CancellationToken cancellationToken = default)
    {
        var v = await CallAsync("emergenciesInPeriod", [doctor], cancellationToken);
        return ((uint)(BigInteger)v[0]!, (uint)(BigInteger)v[1]!);
    }

    /// <summary>Whether the patient ended the doctor's last emergency and the owner has not reviewed it yet.</summary>
    public async Task<bool> EmergencyAwaitingReviewAsync(EthAddress patient, EthAddress doctor, CancellationToken cancellationToken = default) =>
        (bool)(await CallAsync("emergencyAwaitingReview", [patient, doctor], cancellationToken))[0]!;

    // ------------------------------------------------------------------ events
    // ------------------------------------------------------------------ events

    /// <summary>The contract's events in a receipt, typed.</summary>
    public IReadOnlyList<EhrAccessEvent> DecodeEvents(RpcReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return receipt.Logs
            .Where(l => l.Address == Address)
            .Select(l => EhrAccessEventDecoder.Decode(l with { BlockNumber = receipt.BlockNumber }, _abi))
            .OfType<EhrAccessEvent>()
            .ToArray();
    }

    /// <summary>
    /// Events for the history views, oldest first. By patient: everything about the patient (topic 1 is the patient in
    /// every patient event). By doctor: the doctor's access events (topic 2) and the doctor's account events (topic 1).
    /// Both: the events between the two. Neither: all.
    /// </summary>
    public async Task<IReadOnlyList<EhrAccessEvent>> GetEventsAsync(EhrEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var from = BlockParameter.Number(query.FromBlock);
        var to = query.ToBlock is { } t ? BlockParameter.Number(t) : BlockParameter.Latest;
        var filters = new List<IReadOnlyList<IReadOnlyList<byte[]>?>>();
        switch (query.Patient, query.Doctor)
        {
            case ({ } p, { } d):
                filters.Add([null, [Topic(p)], [Topic(d)]]);
                break;
            case ({ } p, null):
                filters.Add([null, [Topic(p)]]);
                break;
            case (null, { } d):
                filters.Add([null, null, [Topic(d)]]);
                filters.Add([null, [Topic(d)]]);
                break;
            default:
                filters.Add([]);
                break;
        }

        var logs = new List<RpcLog>();
        foreach (var topics in filters)
        {
            logs.AddRange(await Rpc.EthGetLogsAsync(new LogFilter { FromBlock = from, ToBlock = to, Addresses = [Address], Topics = topics }, cancellationToken));
        }

        var events = new List<EhrAccessEvent>();
        foreach (var log in logs.Where(l => !l.Removed).DistinctBy(l => (l.BlockNumber, l.LogIndex)).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex))
        {
            if (EhrAccessEventDecoder.Decode(log, _abi) is not { } e)
            {
                continue;
            }

            if (e.Timestamp is { } carried)
            {
                _blockTimes.Remember(log.BlockHash, carried);
            }
            else
            {
                // Nodes that do not put blockTimestamp in logs: each block is looked up once (the cache is shared).
                e = e with { Timestamp = await _blockTimes.GetAsync(Rpc, log.BlockHash, log.BlockNumber, cancellationToken) };
            }

            events.Add(e);
        }

        return events;
    }

    // ------------------------------------------------------------------ plumbing

    /// <summary>
    /// The transaction for a function call without sending it, for callers that send and await separately
    /// (e.g. an outbox that records the hash between the two).
    /// </summary>
    public TransactionRequest CreateTransaction(string function, params IReadOnlyList<object?> arguments)
    {
        var f = _abi.Function(function);
        return new TransactionRequest { To = Address, Data = f.EncodeCall(arguments), Description = f.Name, Abi = _abi };
    }

    public Task<RpcReceipt> SendAsync(EthKey from, string function, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default) =>
        _sender.SendAndWaitAsync(from, CreateTransaction(function, arguments), cancellationToken);

    /// <summary>Calls a view on the latest state and decodes its outputs.</summary>
    public async Task<object?[]> CallAsync(string function, IReadOnlyList<object?> arguments, CancellationToken cancellationToken = default)
    {
        var f = _abi.Function(function);
        try
        {
            var result = await Rpc.EthCallAsync(new CallRequest { To = Address, Data = f.EncodeCall(arguments) }, BlockParameter.Latest, cancellationToken);
            if (result.Length == 0 && f.Outputs.Count > 0)
            {
                throw new ChainException($"{f.Name}: no contract code answered at {Address} (is Chain:ContractAddress right?).");
            }

            return f.DecodeOutput(result);
        }
        catch (RpcException ex) when (ex.IsRevert)
        {
            throw new ContractRevertException(f.Name, RevertReason.Decode(ex.RevertData, _abi), null, ex);
        }
    }

    private static byte[] Topic(EthAddress address)
    {
        var topic = new byte[32];
        address.WriteTo(topic.AsSpan(12));
        return topic;
    }

    private static byte[] RecordBytes(Guid? recordId) => recordId is { } id ? RecordIds.ToBytes16(id) : new byte[16];

    /// <summary>A proof as the ABI's bytes32[]: each sibling 32 bytes.</summary>
    private static object?[] ProofArgument(IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return proof.Select(node => node is { Length: 32 } ? (object?)node : throw new ArgumentException("A proof node is 32 bytes.", nameof(proof))).ToArray();
    }

    /// <summary>Unix seconds, rounded down (before 1970: zero).</summary>
    private static ulong Seconds(DateTimeOffset time) => (ulong)Math.Max(0, time.ToUnixTimeSeconds());

    private static DateTimeOffset? Time(object? value)
    {
        var seconds = (BigInteger)value!;
        return seconds.IsZero ? null : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
    }
}
