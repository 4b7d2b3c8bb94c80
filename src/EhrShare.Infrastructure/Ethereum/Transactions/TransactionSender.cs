using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ethereum.Transactions;

/// <summary>What to send: a call (<see cref="To"/> and <see cref="Data"/>), a transfer, or a creation (no <see cref="To"/>).</summary>
public sealed record TransactionRequest
{
    public EthAddress? To { get; init; }

    public BigInteger Value { get; init; }

    public byte[] Data { get; init; } = [];

    /// <summary>A fixed gas limit; null estimates it (which also surfaces a revert before anything is sent).</summary>
    public ulong? GasLimit { get; init; }

    /// <summary>What this is, for errors and logs (e.g. the contract function's name).</summary>
    public string Description { get; init; } = "transaction";

    /// <summary>The contract's ABI, to decode its custom errors when it reverts.</summary>
    public ContractAbi? Abi { get; init; }
}

/// <summary>A signed transaction: accepted into the node's pool once <see cref="TransactionSender.BroadcastAsync"/> returned it.</summary>
public sealed record SentTransaction(string Hash, EthAddress From, ulong Nonce, byte[] Raw, TransactionRequest Request)
{
    /// <summary>The gas limit it was signed with.</summary>
    public ulong GasLimit { get; init; }

    /// <summary>The fees it was signed with.</summary>
    public Eip1559Fees Fees { get; init; }
}

/// <summary>
/// Signs and sends EIP-1559 transactions and waits for their receipts: estimates gas (a revert surfaces here with its
/// reason), takes fees from <see cref="FeeEstimator"/> and nonces from <see cref="NonceManager"/>, recovers from
/// "nonce too low" and lost transactions, and turns a failed receipt into a <see cref="ContractRevertException"/>.
/// </summary>
public sealed class TransactionSender
{
    private const int MaxNonceAttempts = 4;
    // A node that mines on arrival (anvil's automine, a dev geth) has the receipt within milliseconds, a little after
    // eth_sendRawTransaction returns; a handful of quick polls costs little on a chain with real block times.
    private static readonly TimeSpan[] QuickPolls =
        [TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];
    private static readonly TimeSpan LostCheckEvery = TimeSpan.FromSeconds(5);

    private readonly EthRpcClient _rpc;
    private readonly NonceManager _nonces;
    private readonly FeeEstimator _fees;
    private readonly ChainOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public TransactionSender(EthRpcClient rpc, NonceManager nonces, FeeEstimator fees, IOptions<ChainOptions> options, ILogger<TransactionSender>? logger = null, TimeProvider? timeProvider = null)
    {
        _rpc = rpc;
        _nonces = nonces;
        _fees = fees;
        _options = options.Value;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    public EthRpcClient Rpc => _rpc;

    /// <summary>
    /// Sends and waits for the receipt. A transaction replaced by another of the same account (another app instance
    /// took its nonce) can never be mined: the request is sent again with a new nonce.
    /// </summary>
    public async Task<RpcReceipt> SendAndWaitAsync(EthKey from, TransactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        for (var attempt = 1; ; attempt++)
        {
            var sent = await SendAsync(from, request, cancellationToken);
            try
            {
                return await WaitForReceiptAsync(sent, cancellationToken);
            }
            catch (TransactionReplacedException) when (attempt < MaxNonceAttempts)
            {
                _logger.LogWarning(
                    "Transaction {TransactionHash} ({Description}) lost its nonce {Nonce} to another transaction of {Account}; sending it again with a new nonce",
                    sent.Hash, request.Description, sent.Nonce, sent.From);
                await _nonces.ResyncAsync(from.Address, _rpc, cancellationToken);
            }
        }
    }

    /// <summary>Sends ether (e.g. the manager funding a new user's account).</summary>
    public Task<RpcReceipt> TransferAsync(EthKey from, EthAddress to, BigInteger wei, CancellationToken cancellationToken = default) =>
        SendAndWaitAsync(from, new TransactionRequest { To = to, Value = wei, GasLimit = 21_000, Description = "transfer" }, cancellationToken);

    /// <summary>
    /// The manager (Chain:ManagerPrivateKey) sends Chain:AccountFundingEth to a newly approved user's account, so the
    /// user can pay for their own transactions.
    /// </summary>
    public Task<RpcReceipt> FundAccountAsync(EthAddress account, CancellationToken cancellationToken = default) =>
        TransferAsync(_options.GetManagerKey(), account, EtherToWei(_options.AccountFundingEth), cancellationToken);

    public static BigInteger EtherToWei(decimal ether) =>
        ether >= 0 ? new BigInteger(decimal.Round(ether * 1_000_000_000m, 0)) * 1_000_000_000 : throw new ArgumentOutOfRangeException(nameof(ether));

    public async Task<SentTransaction> SendAsync(EthKey from, TransactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        var estimated = await WithGasLimitAsync(from.Address, request, cancellationToken);
        using (await LockAccountAsync(from.Address, cancellationToken))
        {
            var signed = await SignAsync(from, estimated, cancellationToken);
            return await BroadcastAsync(from, signed, cancellationToken: cancellationToken);
        }
    }

    /// <summary>The request with its gas limit: as given, or estimated (×<see cref="ChainOptions.GasLimitMultiplier"/>); a revert surfaces here.</summary>
    public async Task<TransactionRequest> WithGasLimitAsync(EthAddress from, TransactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.GasLimit is not null ? request : request with { GasLimit = await EstimateGasAsync(from, request, cancellationToken) };
    }

    /// <summary>
    /// The account's send lock (see <see cref="NonceManager.LockAsync"/>): hold it from <see cref="SignAsync"/> to
    /// <see cref="BroadcastAsync"/> so the account's transactions reach the node in nonce order.
    /// </summary>
    public Task<IDisposable> LockAccountAsync(EthAddress account, CancellationToken cancellationToken = default) =>
        _nonces.LockAsync(account, cancellationToken);

    /// <summary>
    /// Takes fees and the next nonce and signs (estimating gas first unless the request has a limit), without sending:
    /// the hash is known before the node sees the transaction, so a caller can make it durable first (an outbox records
    /// it, then sends). Follow with <see cref="BroadcastAsync"/>, or <see cref="Discard"/> to give the nonce back; hold
    /// <see cref="LockAccountAsync"/> from here to the broadcast (estimate before taking it, with <see cref="WithGasLimitAsync"/>).
    /// </summary>
    public async Task<SentTransaction> SignAsync(EthKey from, TransactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(request);
        var gas = request.GasLimit ?? await EstimateGasAsync(from.Address, request, cancellationToken);
        var fees = await _fees.GetAsync(_rpc, cancellationToken);
        var nonce = await _nonces.ReserveAsync(from.Address, _rpc, cancellationToken);
        return Sign(from, request, gas, fees, nonce);
    }

    /// <summary>
    /// Forgets the nonces handed out for an account, so the next transaction takes its nonce from the node again: for a
    /// transaction found dropped (its nonce was never used; later ones would wait behind the gap forever) or a reset chain.
    /// </summary>
    public void ForgetNonces(EthAddress account) => _nonces.Reset(account);

    /// <summary>Gives back the nonce of a transaction signed by <see cref="SignAsync"/> that will not be sent.</summary>
    public void Discard(SentTransaction signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        _nonces.Release(signed.From, signed.Nonce);
    }

    /// <summary>
    /// Sends a transaction signed by <see cref="SignAsync"/>. If the node says its nonce is taken (the account was used
    /// elsewhere), resynchronises and, with <paramref name="signAgain"/>, signs again with a new nonce: the returned
    /// transaction then has another hash (the first one was refused, so it can never be mined). Without it the refusal
    /// is thrown (for a caller that records each hash before sending it). Any other failure gives the nonce back and throws.
    /// </summary>
    public async Task<SentTransaction> BroadcastAsync(EthKey from, SentTransaction signed, bool signAgain = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(signed);
        if (from.Address != signed.From)
        {
            throw new ArgumentException("The key is not the transaction's signer.", nameof(from));
        }

        var current = signed;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var hash = await _rpc.EthSendRawTransactionAsync(current.Raw, cancellationToken);
                _logger.LogDebug("Sent {Description} from {Account} nonce {Nonce}: {TransactionHash}", current.Request.Description, current.From, current.Nonce, hash);
                return current;
            }
            catch (RpcException ex) when (IsAlreadyKnown(ex))
            {
                return current;
            }
            catch (RpcException ex) when (IsNonceTaken(ex) && (attempt < MaxNonceAttempts || !signAgain))
            {
                // The account was used outside this process (or a transaction we lost track of took the nonce).
                _logger.LogWarning("Nonce {Nonce} of {Account} is taken ({Reason}); resynchronising with the node", current.Nonce, current.From, ex.RpcMessage);
                await _nonces.ResyncAsync(current.From, _rpc, cancellationToken);
                if (!signAgain)
                {
                    throw;
                }

                var nonce = await _nonces.ReserveAsync(current.From, _rpc, cancellationToken);
                current = Sign(from, current.Request, current.GasLimit, current.Fees, nonce);
            }
            catch (RpcException ex) when (ex.IsRevert)
            {
                _nonces.Release(current.From, current.Nonce);
                throw new ContractRevertException(current.Request.Description, RevertReason.Decode(ex.RevertData, current.Request.Abi), null, ex);
            }
            catch
            {
                // Not accepted (or unknown, after a transport failure): give the nonce back. If the node did take it
                // after all, the next use fails with "nonce too low" and resynchronises.
                _nonces.Release(current.From, current.Nonce);
                throw;
            }
        }
    }

    private SentTransaction Sign(EthKey from, TransactionRequest request, ulong gas, Eip1559Fees fees, ulong nonce)
    {
        var signed = new Eip1559Transaction
        {
            ChainId = _options.ChainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas,
            MaxFeePerGas = fees.MaxFeePerGas,
            GasLimit = gas,
            To = request.To,
            Value = request.Value,
            Data = request.Data,
        }.Sign(from);
        return new SentTransaction(signed.HashHex, from.Address, nonce, signed.Raw, request) { GasLimit = gas, Fees = fees };
    }

    /// <summary>
    /// Polls for the receipt: at once, then after 1, 2, 5, 10, 25, 50 and 100 ms, then every <see cref="ChainOptions.ReceiptPollInterval"/>, until
    /// <see cref="ChainOptions.ReceiptTimeout"/>. Re-sends a transaction the node dropped; reports one replaced by another
    /// with the same nonce.
    /// </summary>
    public async Task<RpcReceipt> WaitForReceiptAsync(SentTransaction sent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sent);
        var started = _time.GetTimestamp();
        var lastLostCheck = started;
        var transportFailures = 0;
        for (var poll = 0; ; poll++)
        {
            var delay = poll < QuickPolls.Length ? QuickPolls[poll] : _options.ReceiptPollInterval;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken);
            }

            try
            {
                var receipt = await _rpc.EthGetTransactionReceiptAsync(sent.Hash, cancellationToken);
                transportFailures = 0;
                if (receipt is not null)
                {
                    return receipt.Succeeded ? receipt : throw await RevertedAsync(sent, receipt, cancellationToken);
                }

                if (_time.GetElapsedTime(lastLostCheck) >= LostCheckEvery)
                {
                    lastLostCheck = _time.GetTimestamp();
                    await CheckLostAsync(sent, cancellationToken);
                }
            }
            catch (ChainUnavailableException) when (++transportFailures < 3)
            {
                // A blip: keep polling.
            }

            if (_time.GetElapsedTime(started) >= _options.ReceiptTimeout)
            {
                throw new TransactionTimeoutException(sent.Hash, _options.ReceiptTimeout);
            }
        }
    }

    private async Task<ulong> EstimateGasAsync(EthAddress from, TransactionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var estimate = await _rpc.EthEstimateGasAsync(
                new CallRequest { From = from, To = request.To, Data = request.Data, Value = request.Value }, cancellationToken);
            return (ulong)Math.Ceiling(estimate * _options.GasLimitMultiplier);
        }
        catch (RpcException ex) when (ex.IsRevert)
        {
            throw new ContractRevertException(request.Description, RevertReason.Decode(ex.RevertData, request.Abi), null, ex);
        }
    }

    private async Task CheckLostAsync(SentTransaction sent, CancellationToken cancellationToken)
    {
        if (await _rpc.EthGetTransactionByHashAsync(sent.Hash, cancellationToken) is not null)
        {
            return; // still pending
        }

        var mined = await _rpc.EthGetTransactionCountAsync(sent.From, BlockParameter.Latest, cancellationToken);
        if (mined > sent.Nonce)
        {
            if (await _rpc.EthGetTransactionReceiptAsync(sent.Hash, cancellationToken) is null)
            {
                throw new TransactionReplacedException(sent.Hash, sent.Request.Description, sent.Nonce, sent.From.ToString());
            }

            return;
        }

        _logger.LogWarning("Transaction {TransactionHash} ({Description}) is no longer known to the node; sending it again", sent.Hash, sent.Request.Description);
        try
        {
            await _rpc.EthSendRawTransactionAsync(sent.Raw, cancellationToken);
        }
        catch (RpcException ex) when (IsAlreadyKnown(ex) || IsNonceTaken(ex))
        {
            // Raced with the node re-adding or mining it.
        }
    }

    private async Task<ContractRevertException> RevertedAsync(SentTransaction sent, RpcReceipt receipt, CancellationToken cancellationToken)
    {
        // The receipt has no reason; replaying the call on the state before its block recovers it in most cases.
        var reason = RevertReason.Decode([]);
        try
        {
            await _rpc.EthCallAsync(
                new CallRequest { From = sent.From, To = sent.Request.To, Data = sent.Request.Data, Value = sent.Request.Value },
                BlockParameter.Number(receipt.BlockNumber > 0 ? receipt.BlockNumber - 1 : 0), cancellationToken);
        }
        catch (RpcException ex) when (ex.IsRevert)
        {
            reason = RevertReason.Decode(ex.RevertData, sent.Request.Abi);
        }
        catch (ChainException)
        {
            // Keep the unknown reason.
        }

        return new ContractRevertException(sent.Request.Description, reason, receipt.TransactionHash);
    }

    private static bool IsNonceTaken(RpcException ex) =>
        ex.RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase) ||
        ex.RpcMessage.Contains("replacement transaction underpriced", StringComparison.OrdinalIgnoreCase) ||
        ex.RpcMessage.Contains("replacement underpriced", StringComparison.OrdinalIgnoreCase);

    private static bool IsAlreadyKnown(RpcException ex) =>
        ex.RpcMessage.Contains("already known", StringComparison.OrdinalIgnoreCase) ||
        ex.RpcMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase);
}
