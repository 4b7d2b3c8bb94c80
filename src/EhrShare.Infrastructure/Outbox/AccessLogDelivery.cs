using EhrShare.Core.Access;
using EhrShare.Core.Data;
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
/// Takes one batch of access-log entries a step further towards the chain, with its own DbContext (one per batch, from a
/// scope). A batch is one reader's entries that go in one transaction: a doctor's reads (<c>logAccessBatch</c>, in id
/// order, or <c>logAccess</c> for one), or one patient's own read (<c>logOwnAccess</c>). Its entries share the
/// transaction's hash and nonce (the signed bytes are kept on the first entry) and are always saved together, so a
/// batch is confirmed, or sent back to Pending, as a whole: none is lost or logged twice.
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

    /// <summary>
    /// Delivers the Pending entries <paramref name="entryIds"/> (one reader's; entries no longer Pending are left out) as
    /// one batch. Returns when they should be looked at again, or null once confirmed (or gone).
    /// </summary>
    public async Task<DateTimeOffset?> DeliverPendingAsync(IReadOnlyCollection<long> entryIds, CancellationToken cancellationToken)
    {
        var batch = await db.AccessLog
            .Where(e => entryIds.Contains(e.Id) && e.State == OutboxState.Pending && e.TransactionHash == null)
            .OrderBy(e => e.Id)
            .ToListAsync(cancellationToken);
        return await DeliverAsync(batch, cancellationToken);
    }

    /// <summary>
    /// Takes the batch sent as transaction <paramref name="transactionHash"/> (every entry recorded with that hash) a step
    /// further. Returns when it should be looked at again, or null once confirmed (or gone).
    /// </summary>
    public async Task<DateTimeOffset?> DeliverSentAsync(string transactionHash, CancellationToken cancellationToken)
    {
        var batch = await db.AccessLog
            .Where(e => e.TransactionHash == transactionHash && e.State == OutboxState.Sent)
            .OrderBy(e => e.Id)
            .ToListAsync(cancellationToken);
        return await DeliverAsync(batch, cancellationToken);
    }

    private async Task<DateTimeOffset?> DeliverAsync(List<AccessLogEntry> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return null;
        }

        if (batch.Exists(e => e.ActorUserId != batch[0].ActorUserId || e.ActorAccount != batch[0].ActorAccount || e.Actor != batch[0].Actor ||
            e.TransactionHash != batch[0].TransactionHash))
        {
            throw new InvalidOperationException("An access-log batch must hold one reader's entries with one transaction.");
        }

        await DeliverBatchAsync(batch, cancellationToken);
        return batch.TrueForAll(e => e.State == OutboxState.Confirmed) ? null : batch.Min(e => e.NextAttemptAt);
    }

    private async Task DeliverBatchAsync(List<AccessLogEntry> batch, CancellationToken cancellationToken)
    {
        try
        {
            if (batch[0].TransactionHash is { Length: > 0 } hash && !await NeedsNewTransactionAsync(batch, hash, cancellationToken))
            {
                return;
            }

            await SendAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (ex is ChainException or AccountKeyUnavailableException or OutboxEntryException)
        {
            // Before anything reached the node, or while checking a sent one: the entries keep their state.
            await RetryLaterAsync(batch, ex, cancellationToken);
        }
    }

    /// <summary>Looks the recorded transaction up; false when that settled the batch for now.</summary>
    private async Task<bool> NeedsNewTransactionAsync(List<AccessLogEntry> batch, string hash, CancellationToken cancellationToken)
    {
        if (await Rpc.EthGetTransactionReceiptAsync(hash, cancellationToken) is { } receipt)
        {
            if (!receipt.Succeeded)
            {
                // Mined but reverted: it logged nothing, so a new transaction cannot log twice.
                await BackToPendingAsync(batch, $"The log transaction {hash} reverted in block {receipt.BlockNumber}.", cancellationToken);
                return false;
            }

            await ConfirmAsync(batch, receipt, cancellationToken);
            return false;
        }

        if (await Rpc.EthGetTransactionByHashAsync(hash, cancellationToken) is not null)
        {
            // In the node's pool, not mined yet.
            foreach (var entry in batch)
            {
                entry.NextAttemptAt = time.GetUtcNow() + _options.PollInterval;
            }

            await db.SaveChangesAsync(cancellationToken);
            return false;
        }

        var raw = batch.Find(e => e.SignedTransaction is { Length: > 0 })?.SignedTransaction;
        if (raw is not null && batch[0].TransactionNonce is { } nonce &&
            !await SendAgainAsync(batch, hash, raw, (ulong)nonce, cancellationToken))
        {
            return false;
        }

        if (raw is null && time.GetUtcNow() < batch.Min(e => e.NextAttemptAt))
        {
            return false; // Unknown, but sent too recently to give it up (found by the start-up sweep).
        }

        logger.LogWarning(
            "Access-log {Entries}: transaction {TransactionHash} is unknown to the node (dropped, or the chain was reset); sending a new one",
            Ids(batch), hash);

        // Its nonce was never used: take nonces from the node again, or the new one would queue behind the gap.
        if (EthAddress.TryParse(batch[0].ActorAccount, out var actor))
        {
            Sender.ForgetNonces(actor);
        }

        return true;
    }

    /// <summary>
    /// The node does not know the recorded transaction, which this batch still holds signed: hand the node the very same
    /// bytes (same hash, so the chain can hold the attempts only once) when its nonce is the account's next one. False
    /// when that settled the batch for now (handed over, or waiting for an earlier nonce); true when it can never be
    /// mined (its nonce went to another transaction, or the node refuses it), so a new transaction is due.
    /// </summary>
    private async Task<bool> SendAgainAsync(List<AccessLogEntry> batch, string hash, byte[] raw, ulong nonce, CancellationToken cancellationToken)
    {
        if (!EthAddress.TryParse(batch[0].ActorAccount, out var actor))
        {
            throw new OutboxEntryException($"The entry's reader account '{batch[0].ActorAccount}' is not an address.");
        }

        SentTransaction? handedOver = null;

        // Under the account's send lock, as every transaction of the account is handed to the node.
        using (await Sender.LockAccountAsync(actor, cancellationToken))
        {
            var next = await Rpc.EthGetTransactionCountAsync(actor, BlockParameter.Pending, cancellationToken);
            if (nonce > next)
            {
                // An earlier nonce of the account is missing too (usually another batch being recovered the same way):
                // handed over now, this one would wait behind the gap. Look again soon; after ResendAfter, give it up.
                if (time.GetUtcNow() < batch.Min(e => e.NextAttemptAt))
                {
                    await LookAgainAsync(batch, cancellationToken);
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
                    logger.LogInformation("Access-log {Entries}: the node did not know transaction {TransactionHash}; handed it the same transaction again", Ids(batch), hash);
                    handedOver = new SentTransaction(hash, actor, nonce, raw, CreateRequest(batch));
                }
                catch (RpcException ex)
                {
                    // Refused (its nonce was taken meanwhile, or its fees no longer do): it is in no pool, and only this
                    // table holds it. Unless it was mined just now, a new transaction cannot log the attempts twice.
                    logger.LogInformation("Access-log {Entries}: the node refused transaction {TransactionHash} again ({Reason})", Ids(batch), hash, ex.RpcMessage);
                }
            }
        }

        if (handedOver is not null)
        {
            await AwaitReceiptAsync(batch, handedOver, cancellationToken);
            return false;
        }

        // Its nonce is used: by this transaction after all (mined since the first look), or by another one.
        if (await Rpc.EthGetTransactionReceiptAsync(hash, cancellationToken) is { } receipt)
        {
            if (receipt.Succeeded)
            {
                await ConfirmAsync(batch, receipt, cancellationToken);
            }
            else
            {
                await BackToPendingAsync(batch, $"The log transaction {hash} reverted in block {receipt.BlockNumber}.", cancellationToken);
            }

            return false;
        }

        return true;
    }

    /// <summary>The entries for the logs, e.g. "entry 12" or "entries 12-61 (50)".</summary>
    private static string Ids(List<AccessLogEntry> batch) =>
        batch.Count == 1
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"entry {batch[0].Id}")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"entries {batch[0].Id}-{batch[^1].Id} ({batch.Count})");

    private async Task LookAgainAsync(List<AccessLogEntry> batch, CancellationToken cancellationToken)
    {
        foreach (var entry in batch)
        {
            entry.NextAttemptAt = Min(entry.NextAttemptAt, time.GetUtcNow() + _options.PollInterval);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task SendAsync(List<AccessLogEntry> batch, CancellationToken cancellationToken)
    {
        var first = batch[0];
        var account = await db.ChainAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == first.ActorUserId, cancellationToken)
            ?? throw new OutboxEntryException("The reader has no chain account.");
        if (!string.Equals(account.Address, first.ActorAccount, StringComparison.OrdinalIgnoreCase))
        {
            throw new OutboxEntryException($"The reader's chain account is {account.Address}, not {first.ActorAccount} as the entry says.");
        }

        // An entry that cannot be sent as it is waits with its reason; the rest of the batch goes on without it.
        var sendable = new List<AccessLogEntry>(batch.Count);
        foreach (var entry in batch)
        {
            try
            {
                _ = CreateRequest([entry]);
                sendable.Add(entry);
            }
            catch (OutboxEntryException ex)
            {
                await RetryLaterAsync([entry], ex, cancellationToken);
            }
        }

        if (sendable.Count == 0)
        {
            return;
        }

        batch = sendable;
        var key = signer.Unprotect(account);
        var request = await Sender.WithGasLimitAsync(key.Address, CreateRequest(batch), cancellationToken);
        SentTransaction sent;
        using (await Sender.LockAccountAsync(key.Address, cancellationToken))
        {
            var signed = await Sender.SignAsync(key, request, cancellationToken);

            // Durable before the node sees it: after a crash from here on, the next round looks this hash up first. The
            // signed bytes are kept once, on the batch's first entry.
            var resendAt = time.GetUtcNow() + _options.ResendAfter;
            foreach (var entry in batch)
            {
                entry.TransactionHash = signed.Hash;
                entry.SignedTransaction = entry == batch[0] ? signed.Raw : null;
                entry.TransactionNonce = (long)signed.Nonce;
                entry.State = OutboxState.Sent;
                entry.Attempts++;
                entry.LastError = null;
                entry.NextAttemptAt = resendAt;
            }

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
                await BackToPendingAsync(batch, Describe(ex), cancellationToken);
                return;
            }
            catch (ChainException ex)
            {
                // No answer: the node may or may not have it. It stays Sent; the next round looks the hash up.
                await RetryLaterAsync(batch, ex, cancellationToken, countAttempt: false);
                return;
            }
        }

        await AwaitReceiptAsync(batch, sent, cancellationToken);
    }

    private async Task AwaitReceiptAsync(List<AccessLogEntry> batch, SentTransaction sent, CancellationToken cancellationToken)
    {
        RpcReceipt receipt;
        try
        {
            receipt = await Sender.WaitForReceiptAsync(sent, cancellationToken);
        }
        catch (ContractRevertException ex) when (ex.TransactionHash is not null)
        {
            await BackToPendingAsync(batch, Describe(ex), cancellationToken);
            return;
        }
        catch (ChainException ex)
        {
            // Not mined yet (timeout), node gone, or replaced: it stays Sent and the next round looks the hash up.
            await RetryLaterAsync(batch, ex, cancellationToken, countAttempt: false);
            return;
        }

        await ConfirmAsync(batch, receipt, cancellationToken);
    }

    /// <summary>
    /// The batch's transaction: a doctor's reads in id order (<c>logAccessBatch</c>, or <c>logAccess</c> for one), or a
    /// patient's own read (<c>logOwnAccess</c>, one per transaction). Each attempt is decided on the chain as the app
    /// decided it: as of the block it read, at the time of the read; without a block (the chain could not be asked), as
    /// of the block the log is mined in.
    /// </summary>
    private TransactionRequest CreateRequest(List<AccessLogEntry> batch)
    {
        var attempts = new List<LoggedAttempt>(batch.Count);
        foreach (var entry in batch)
        {
            if (!EthAddress.TryParse(entry.PatientAccount, out var patient))
            {
                throw new OutboxEntryException($"The entry's patient account '{entry.PatientAccount}' is not an address.");
            }

            attempts.Add(new LoggedAttempt(patient, entry.RecordId, entry.AttemptedAt, entry.DecidedAtBlock is { } block ? (ulong)block : null)
            {
                Proof = ProofOf(entry),
            });
        }

        switch (batch[0].Actor)
        {
            case AccessActor.Doctor when attempts.Count == 1:
                var a = attempts[0];
                return contract.CreateTransaction("logAccess", EhrAccessContract.LogAccessArguments(a));
            case AccessActor.Doctor:
                return contract.CreateTransaction("logAccessBatch", EhrAccessContract.LogAccessBatchArguments(attempts));
            case AccessActor.Owner when attempts.Count == 1:
                var own = batch[0];
                if (!string.Equals(own.PatientAccount, own.ActorAccount, StringComparison.OrdinalIgnoreCase))
                {
                    throw new OutboxEntryException("An owner's read must be of the reader's own records (patient and reader accounts differ).");
                }

                return contract.CreateTransaction("logOwnAccess", EhrAccessContract.LogOwnAccessArguments(own.RecordId, own.AttemptedAt, attempts[0].DecidedAtBlock));
            case AccessActor.Owner:
                throw new OutboxEntryException("A patient's own reads are logged one per transaction.");
            default:
                throw new OutboxEntryException($"Unknown reader kind {batch[0].Actor}.");
        }
    }

    /// <summary>
    /// The proof the app decided the read with (<see cref="AccessLogEntry.Proof"/>, 32-byte siblings end to end), so the
    /// chain judges the logged read against the grant's set as the app did.
    /// </summary>
    private static byte[][] ProofOf(AccessLogEntry entry)
    {
        var proof = entry.Proof ?? [];
        if (proof.Length % 32 != 0)
        {
            throw new OutboxEntryException($"The entry's proof is {proof.Length} bytes, not a whole number of 32-byte hashes.");
        }

        return proof.Chunk(32).ToArray();
    }

    private async Task ConfirmAsync(List<AccessLogEntry> batch, RpcReceipt receipt, CancellationToken cancellationToken)
    {
        var results = EthAddress.TryParse(batch[0].ActorAccount, out var actor) ? contract.ReadAccessLogResults(receipt, actor) : [];
        if (results.Count == 0)
        {
            // Nothing was logged by that transaction for this reader, so a new one cannot log twice.
            await BackToPendingAsync(batch, $"Transaction {receipt.TransactionHash} holds no access-log event of the reader.", cancellationToken);
            return;
        }

        if (results.Count != batch.Count || !batch.Select((e, i) => Matches(e, results[i])).All(m => m))
        {
            // The transaction logged attempts, but not this batch's (the table was changed behind the dispatcher's back):
            // sending again could log twice, so the entries stay Sent with the reason for the operator to see.
            var error = $"Transaction {receipt.TransactionHash} logged {results.Count} attempts that do not match these {batch.Count} entries.";
            logger.LogError("Access-log {Entries}: {Error}", Ids(batch), error);
            foreach (var entry in batch)
            {
                entry.LastError = error;
                entry.NextAttemptAt = time.GetUtcNow() + _options.MaxBackoff;
            }

            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            entry.State = OutboxState.Confirmed;
            entry.TransactionHash = receipt.TransactionHash;
            entry.SignedTransaction = null;
            entry.TransactionNonce = null;
            entry.BlockNumber = (long)receipt.BlockNumber;
            entry.ChainAllowed = results[i].Allowed;
            entry.ConfirmedAt = now;
            entry.LastError = null;
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogDebug(
            "Access-log {Entries} confirmed in block {BlockNumber} ({Allowed} allowed)",
            Ids(batch), receipt.BlockNumber, results.Count(r => r.Allowed));
    }

    private static bool Matches(AccessLogEntry entry, AccessLogResult result) =>
        entry.RecordId == result.RecordId && EthAddress.TryParse(entry.PatientAccount, out var patient) && patient == result.Patient;

    private Task BackToPendingAsync(List<AccessLogEntry> batch, string error, CancellationToken cancellationToken)
    {
        foreach (var entry in batch)
        {
            entry.State = OutboxState.Pending;
            entry.TransactionHash = null;
            entry.SignedTransaction = null;
            entry.TransactionNonce = null;
        }

        return RetryLaterAsync(batch, error, countAttempt: false, cancellationToken);
    }

    private Task RetryLaterAsync(List<AccessLogEntry> batch, Exception error, CancellationToken cancellationToken, bool countAttempt = true) =>
        RetryLaterAsync(batch, Describe(error), countAttempt, cancellationToken);

    private async Task RetryLaterAsync(List<AccessLogEntry> batch, string error, bool countAttempt, CancellationToken cancellationToken)
    {
        var message = error.Length <= MaxErrorLength ? error : error[..(MaxErrorLength - 1)] + "…";
        foreach (var entry in batch)
        {
            if (countAttempt)
            {
                entry.Attempts++;
            }

            entry.LastError = message;
        }

        var attempts = batch.Max(e => e.Attempts);
        var next = time.GetUtcNow() + Backoff(Math.Max(attempts, 1));
        foreach (var entry in batch)
        {
            entry.NextAttemptAt = next;
        }

        logger.LogInformation("Access-log {Entries} not on the chain yet (attempt {Attempts}): {Error}", Ids(batch), attempts, message);
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
