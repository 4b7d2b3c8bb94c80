using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Chain;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Outbox;

/// <summary>
/// Takes one access-log entry a step further towards the chain, with its own DbContext (one per entry, from a scope).
/// <list type="number">
/// <item>A recorded transaction hash is always checked first: mined → the entry is confirmed from its event (never a
/// second transaction for it); still in the node's pool → checked again later; unknown to the node (an instance stopped
/// between recording and sending it, or the node lost its pool) → the node is handed the recorded signed bytes again
/// when their nonce is the account's next (same hash: never a second log); their nonce used by another transaction,
/// or reverted → a new transaction; without recorded bytes (rows from before they were kept), a new one
/// <see cref="OutboxOptions.ResendAfter"/> after sending.</item>
/// <item>A new transaction is signed from the actor's own account (<c>logAccess</c> for a doctor, <c>logOwnAccess</c>
/// for the patient), its hash saved with State=Sent, and only then sent; then the receipt is awaited and the block,
/// what the contract decided and the time are saved with State=Confirmed.</item>
/// <item>Failures leave a short, key-free <see cref="AccessLogEntry.LastError"/> and a backoff in
/// <see cref="AccessLogEntry.NextAttemptAt"/>; <see cref="AccessLogEntry.Attempts"/> counts the rounds that sent or failed.</item>
/// </list>
/// </summary>
internal sealed class AccessLogDelivery(
    IEhrDbContext db,
    EhrAccessContract contract,
    AccountSigner signer,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<AccessLogDelivery> logger)
{
    private const int MaxErrorLength = 480;

    private readonly OutboxOptions _options = options.Value;

    private TransactionSender Sender => contract.Sender;

    private EthRpcClient Rpc => contract.Sender.Rpc;

    /// <summary>Returns when the entry should be looked at again, or null once it is confirmed (or gone).</summary>
    public async Task<DateTimeOffset?> DeliverAsync(long entryId, CancellationToken cancellationToken)
    {
        var entry = await db.AccessLog.SingleOrDefaultAsync(e => e.Id == entryId, cancellationToken);
        if (entry is null || entry.State == OutboxState.Confirmed)
        {
            return null;
        }

        await DeliverAsync(entry, cancellationToken);
        return entry.State == OutboxState.Confirmed ? null : entry.NextAttemptAt;
    }

    private async Task DeliverAsync(AccessLogEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            if (entry.TransactionHash is { Length: > 0 } hash && !await NeedsNewTransactionAsync(entry, hash, cancellationToken))
            {
                return;
            }

            await SendAsync(entry, cancellationToken);
        }
        catch (Exception ex) when (ex is ChainException or AccountKeyUnavailableException or OutboxEntryException)
        {
            // Before anything reached the node, or while checking a sent one: the entry keeps its state.
            await RetryLaterAsync(entry, ex, cancellationToken);
        }
    }

    /// <summary>Looks the recorded transaction up; false when that settled the entry for now.</summary>
    private async Task<bool> NeedsNewTransactionAsync(AccessLogEntry entry, string hash, CancellationToken cancellationToken)
    {
        if (await Rpc.EthGetTransactionReceiptAsync(hash, cancellationToken) is { } receipt)
        {
            if (!receipt.Succeeded)
            {
                // Mined but reverted: it logged nothing, so a new transaction cannot log twice.
                await BackToPendingAsync(entry, $"The log transaction {hash} reverted in block {receipt.BlockNumber}.", cancellationToken);
                return false;
            }

            await ConfirmAsync(entry, receipt, cancellationToken);
            return false;
        }

        if (await Rpc.EthGetTransactionByHashAsync(hash, cancellationToken) is not null)
        {
            // In the node's pool, not mined yet.
            entry.NextAttemptAt = time.GetUtcNow() + _options.PollInterval;
            await db.SaveChangesAsync(cancellationToken);
            return false;
        }

        if (entry.SignedTransaction is { Length: > 0 } raw && entry.TransactionNonce is { } nonce &&
            !await SendAgainAsync(entry, hash, raw, (ulong)nonce, cancellationToken))
        {
            return false;
        }

        if (entry.SignedTransaction is null && time.GetUtcNow() < entry.NextAttemptAt)
        {
            return false; // Unknown, but sent too recently to give it up (found by the start-up sweep).
        }

        logger.LogWarning(
            "Access-log entry {EntryId}: transaction {TransactionHash} is unknown to the node (dropped, or the chain was reset); sending a new one",
            entry.Id, hash);

        // Its nonce was never used: take nonces from the node again, or the new one would queue behind the gap.
        if (EthAddress.TryParse(entry.ActorAccount, out var actor))
        {
            Sender.ForgetNonces(actor);
        }

        return true;
    }

    /// <summary>
    /// The node does not know the recorded transaction, which this entry still holds signed: hand the node the very same
    /// bytes (same hash, so the chain can hold the attempt only once) when its nonce is the account's next one. False
    /// when that settled the entry for now (handed over, or waiting for an earlier nonce); true when it can never be
    /// mined (its nonce went to another transaction, or the node refuses it), so a new transaction is due.
    /// </summary>
    private async Task<bool> SendAgainAsync(AccessLogEntry entry, string hash, byte[] raw, ulong nonce, CancellationToken cancellationToken)
    {
        if (!EthAddress.TryParse(entry.ActorAccount, out var actor))
        {
            throw new OutboxEntryException($"The entry's reader account '{entry.ActorAccount}' is not an address.");
        }

        SentTransaction? handedOver = null;

        // Under the account's send lock, as every transaction of the account is handed to the node.
        using (await Sender.LockAccountAsync(actor, cancellationToken))
        {
            var next = await Rpc.EthGetTransactionCountAsync(actor, BlockParameter.Pending, cancellationToken);
            if (nonce > next)
            {
                // An earlier nonce of the account is missing too (usually another entry being recovered the same way):
                // handed over now, this one would wait behind the gap. Look again soon; after ResendAfter, give it up.
                if (time.GetUtcNow() < entry.NextAttemptAt)
                {
                    await LookAgainAsync(entry, cancellationToken);
                    return false;
                }

                return true;
            }

            if (nonce == next)
            {
                try
                {
                    await Rpc.EthSendRawTransactionAsync(raw, cancellationToken);
                    // This process's nonces for the account may predate the transaction: take them from the node again.
                    Sender.ForgetNonces(actor);
                    logger.LogInformation("Access-log entry {EntryId}: the node did not know transaction {TransactionHash}; handed it the same transaction again", entry.Id, hash);
                    handedOver = new SentTransaction(hash, actor, nonce, raw, CreateRequest(entry));
                }
                catch (RpcException ex)
                {
                    // Refused (its nonce was taken meanwhile, or its fees no longer do): it is in no pool, and only this
                    // table holds it. Unless it was mined just now, a new transaction cannot log the attempt twice.
                    logger.LogInformation("Access-log entry {EntryId}: the node refused transaction {TransactionHash} again ({Reason})", entry.Id, hash, ex.RpcMessage);
                }
            }
        }

        if (handedOver is not null)
        {
            await AwaitReceiptAsync(entry, handedOver, cancellationToken);
            return false;
        }

        // Its nonce is used: by this transaction after all (mined since the first look), or by another one.
        if (await Rpc.EthGetTransactionReceiptAsync(hash, cancellationToken) is { } receipt)
        {
            if (receipt.Succeeded)
            {
                await ConfirmAsync(entry, receipt, cancellationToken);
            }
            else
            {
                await BackToPendingAsync(entry, $"The log transaction {hash} reverted in block {receipt.BlockNumber}.", cancellationToken);
            }

            return false;
        }

        return true;
    }

    private async Task LookAgainAsync(AccessLogEntry entry, CancellationToken cancellationToken)
    {
        entry.NextAttemptAt = Min(entry.NextAttemptAt, time.GetUtcNow() + _options.PollInterval);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task SendAsync(AccessLogEntry entry, CancellationToken cancellationToken)
    {
        var account = await db.ChainAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == entry.ActorUserId, cancellationToken)
            ?? throw new OutboxEntryException("The reader has no chain account.");
        if (!string.Equals(account.Address, entry.ActorAccount, StringComparison.OrdinalIgnoreCase))
        {
            throw new OutboxEntryException($"The reader's chain account is {account.Address}, not {entry.ActorAccount} as the entry says.");
        }

        var key = signer.Unprotect(account);
        var request = await Sender.WithGasLimitAsync(key.Address, CreateRequest(entry), cancellationToken);
        SentTransaction sent;
        using (await Sender.LockAccountAsync(key.Address, cancellationToken))
        {
            var signed = await Sender.SignAsync(key, request, cancellationToken);

            // Durable before the node sees it: after a crash from here on, the next round looks this hash up first.
            entry.TransactionHash = signed.Hash;
            entry.SignedTransaction = signed.Raw;
            entry.TransactionNonce = (long)signed.Nonce;
            entry.State = OutboxState.Sent;
            entry.Attempts++;
            entry.LastError = null;
            entry.NextAttemptAt = time.GetUtcNow() + _options.ResendAfter;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch
            {
                Sender.Discard(signed);
                throw;
            }

            try
            {
                // Never signed again inside: every hash the node sees is recorded first.
                sent = await Sender.BroadcastAsync(key, signed, signAgain: false, cancellationToken);
            }
            catch (ChainException ex) when (ex is RpcException or ContractRevertException)
            {
                // The node answered and refused it (e.g. its nonce was taken): it is not in any pool and will never be mined.
                await BackToPendingAsync(entry, Describe(ex), cancellationToken);
                return;
            }
            catch (ChainException ex)
            {
                // No answer: the node may or may not have it. It stays Sent; the next round looks the hash up.
                await RetryLaterAsync(entry, ex, cancellationToken, countAttempt: false);
                return;
            }
        }

        await AwaitReceiptAsync(entry, sent, cancellationToken);
    }

    private async Task AwaitReceiptAsync(AccessLogEntry entry, SentTransaction sent, CancellationToken cancellationToken)
    {
        RpcReceipt receipt;
        try
        {
            receipt = await Sender.WaitForReceiptAsync(sent, cancellationToken);
        }
        catch (ContractRevertException ex) when (ex.TransactionHash is not null)
        {
            await BackToPendingAsync(entry, Describe(ex), cancellationToken);
            return;
        }
        catch (ChainException ex)
        {
            // Not mined yet (timeout), node gone, or replaced: it stays Sent and the next round looks the hash up.
            await RetryLaterAsync(entry, ex, cancellationToken, countAttempt: false);
            return;
        }

        await ConfirmAsync(entry, receipt, cancellationToken);
    }

    private TransactionRequest CreateRequest(AccessLogEntry entry)
    {
        // The attempt is decided on the chain as the app decided it: as of the block it read, at the time of the read.
        // Without a block (the chain could not be asked), as of the block the log is mined in.
        ulong? decidedAtBlock = entry.DecidedAtBlock is { } block ? (ulong)block : null;
        if (!EthAddress.TryParse(entry.PatientAccount, out var patient))
        {
            throw new OutboxEntryException($"The entry's patient account '{entry.PatientAccount}' is not an address.");
        }

        switch (entry.Actor)
        {
            case AccessActor.Doctor:
                return contract.CreateTransaction("logAccess", EhrAccessContract.LogAccessArguments(patient, entry.RecordId, entry.AttemptedAt, decidedAtBlock));
            case AccessActor.Owner:
                if (!string.Equals(entry.PatientAccount, entry.ActorAccount, StringComparison.OrdinalIgnoreCase))
                {
                    throw new OutboxEntryException("An owner's read must be of the reader's own records (patient and reader accounts differ).");
                }

                return contract.CreateTransaction("logOwnAccess", EhrAccessContract.LogOwnAccessArguments(entry.RecordId, entry.AttemptedAt, decidedAtBlock));
            default:
                throw new OutboxEntryException($"Unknown reader kind {entry.Actor}.");
        }
    }

    private async Task ConfirmAsync(AccessLogEntry entry, RpcReceipt receipt, CancellationToken cancellationToken)
    {
        if (!EthAddress.TryParse(entry.ActorAccount, out var actor) || contract.ReadAccessLogResult(receipt, actor) is not { } result)
        {
            // Nothing was logged by that transaction for this reader, so a new one cannot log twice.
            await BackToPendingAsync(entry, $"Transaction {receipt.TransactionHash} holds no access-log event of the reader.", cancellationToken);
            return;
        }

        entry.State = OutboxState.Confirmed;
        entry.TransactionHash = receipt.TransactionHash;
        entry.SignedTransaction = null;
        entry.TransactionNonce = null;
        entry.BlockNumber = (long)receipt.BlockNumber;
        entry.ChainAllowed = result.Allowed;
        entry.ConfirmedAt = time.GetUtcNow();
        entry.LastError = null;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogDebug(
            "Access-log entry {EntryId} confirmed in block {BlockNumber} ({Outcome})",
            entry.Id, receipt.BlockNumber, result.Allowed ? "allowed" : "denied");
    }

    private Task BackToPendingAsync(AccessLogEntry entry, string error, CancellationToken cancellationToken)
    {
        entry.State = OutboxState.Pending;
        entry.TransactionHash = null;
        entry.SignedTransaction = null;
        entry.TransactionNonce = null;
        return RetryLaterAsync(entry, error, countAttempt: false, cancellationToken);
    }

    private Task RetryLaterAsync(AccessLogEntry entry, Exception error, CancellationToken cancellationToken, bool countAttempt = true) =>
        RetryLaterAsync(entry, Describe(error), countAttempt, cancellationToken);

    private async Task RetryLaterAsync(AccessLogEntry entry, string error, bool countAttempt, CancellationToken cancellationToken)
    {
        if (countAttempt)
        {
            entry.Attempts++;
        }

        entry.LastError = error.Length <= MaxErrorLength ? error : error[..(MaxErrorLength - 1)] + "…";
        entry.NextAttemptAt = time.GetUtcNow() + Backoff(Math.Max(entry.Attempts, 1));
        logger.LogInformation("Access-log entry {EntryId} not on the chain yet (attempt {Attempts}): {Error}", entry.Id, entry.Attempts, entry.LastError);
        await db.SaveChangesAsync(cancellationToken);
    }

    internal TimeSpan Backoff(int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = Math.Min(_options.InitialBackoff.TotalMilliseconds * factor, _options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    /// <summary>One line, without keys: our messages and the node's never carry key material.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        ChainUnavailableException => "The chain node is not reachable: " + ex.Message,
        _ => ex.Message,
    };
}

/// <summary>An entry that cannot be sent as it is (no account for the reader, inconsistent fields).</summary>
internal sealed class OutboxEntryException(string message) : Exception(message);
