using System.Security.Cryptography;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Records.Encryption;

namespace EhrShare.Core.Records;

/// <summary>An open record: its plaintext, streamed and checked as it is read.</summary>
public sealed record RecordContent(Guid RecordId, string FileName, string ContentType, long Size, Stream Content);

/// <summary>
/// Reading a record, by its patient or by a doctor. The <see cref="AccessGate"/> decides and records the attempt;
/// the read does not wait for a block. If allowed: the block is rebuilt from the share nodes and checked against
/// the hash on the chain, the ciphertext is fetched from IPFS, decrypted and checked against the plaintext hash.
/// </summary>
public sealed class ReadRecord(
    RecordParties parties,
    AccessGate gate,
    IAccessLedger ledger,
    IShareVault vault,
    IRecordBlobStore blobs,
    OperationLatencies latencies)
{
    /// <summary>Opens the record for streaming; the time measured ("read.open") ends when the first byte can flow.</summary>
    public async Task<RecordContent> OpenAsync(string readerUserId, Guid recordId, CancellationToken cancellationToken)
    {
        using var measure = latencies.Measure("read.open");
        var (record, patient, doctor) = await parties.FindRecordAsync(recordId, readerUserId, cancellationToken);
        if (record is null || patient is null || record.State is RecordState.Pending or RecordState.RollingBack)
        {
            throw new NotFoundException("That record does not exist.");
        }

        if (record.State is RecordState.Removed or RecordState.Removing)
        {
            throw new NotFoundException("This record was removed by its patient and can no longer be read.");
        }

        if (readerUserId != patient.User.Id && doctor is null)
        {
            throw new ForbiddenException("Only an approved doctor can do this.");
        }

        // The anchored hash is fetched while the contract decides: two views of the latest state at once.
        var hashTask = ledger.GetRecordHashAsync(patient.Account.Address, record.Id, cancellationToken);
        AccessAttempt attempt;
        try
        {
            attempt = await gate.DecideAsync(patient, readerUserId, doctor, record.Id, cancellationToken);
        }
        catch
        {
            Observe(hashTask);
            throw;
        }

        if (!attempt.Allowed)
        {
            Observe(hashTask);
            var refused = await gate.RecordAsync(attempt)
                ?? throw new InvalidOperationException("A denied attempt was recorded as allowed.");
            refused.Throw();
        }

        // Allowed: the block is rebuilt and the ciphertext opened while the attempt is written to the outbox. Nothing is
        // decrypted (the stream decrypts as it is read) or returned before the entry is durable.
        var opening = OpenAllowedAsync(record, patient, hashTask, cancellationToken);
        try
        {
            await gate.RecordAsync(attempt);
        }
        catch
        {
            _ = DiscardAsync(opening);
            throw;
        }

        return await opening;
    }

    private async Task<RecordContent> OpenAllowedAsync(MedicalRecord record, PatientParty patient, Task<byte[]?> hashTask, CancellationToken cancellationToken)
    {
        var anchored = await hashTask
            ?? throw new NotFoundException("This record is no longer on the chain: its patient removed it.");
        byte[] blockBytes;
        using (latencies.Measure("shares.rebuild"))
        {
            blockBytes = await vault.RebuildAsync(record.Id, anchored, cancellationToken);
        }

        RecordBlock block;
        try
        {
            block = RecordBlock.Parse(blockBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blockBytes);
        }

        try
        {
            if (block.RecordId != record.Id ||
                !block.PatientAccount.AsSpan().SequenceEqual(Convert.FromHexString(patient.Account.Address.AsSpan(2))))
            {
                // Only possible if the chain anchored another block under this id: never serve it.
                throw new InvalidOperationException($"The block rebuilt for record {record.Id} belongs to another record.");
            }

            var ciphertext = await blobs.OpenReadAsync(block.Cid, cancellationToken);
            var plaintext = new RecordDecryptingStream(ciphertext, block.Key, new ExpectedPlaintext(block.Size, block.PlaintextSha256));
            return new RecordContent(record.Id, block.FileName, block.ContentType, block.Size, plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block.Key);
        }
    }

    private static void Observe(Task task) =>
        _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <summary>The attempt could not be recorded: whatever was opened meanwhile is closed unread.</summary>
    private static async Task DiscardAsync(Task<RecordContent> opening)
    {
        try
        {
            await (await opening).Content.DisposeAsync();
        }
        catch (Exception)
        {
            // Nothing was served; a failure to open or to close is moot.
        }
    }
}
