using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Records.Encryption;
using Microsoft.EntityFrameworkCore;

namespace EhrShare.Core.Records;

/// <summary>An open record: its plaintext, streamed and checked as it is read.</summary>
public sealed record RecordContent(Guid RecordId, string FileName, string ContentType, long Size, Stream Content);

/// <summary>
/// Reading a record, by its patient or by a doctor. The <see cref="AccessGate"/> decides and records the attempt;
/// the read does not wait for a block. If allowed: the block is rebuilt from the share nodes and checked against
/// the hash on the chain, the ciphertext is fetched from IPFS, decrypted and checked against the plaintext hash.
/// </summary>
public sealed class ReadRecord(
    IEhrDbContext db,
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
        var record = await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == recordId, cancellationToken);
        var patient = record is null ? null : await parties.FindPatientAsync(record.PatientUserId, cancellationToken);
        if (record is null || patient is null || record.State is RecordState.Pending or RecordState.RollingBack)
        {
            throw new NotFoundException("That record does not exist.");
        }

        if (record.State is RecordState.Removed or RecordState.Removing)
        {
            throw new NotFoundException("This record was removed by its patient and can no longer be read.");
        }

        // The anchored hash is fetched while the contract decides: two views of the latest state at once.
        var hashTask = ledger.GetRecordHashAsync(patient.Account.Address, record.Id, cancellationToken);
        try
        {
            await gate.CheckAsync(patient, readerUserId, record.Id, cancellationToken);
        }
        catch
        {
            _ = hashTask.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            throw;
        }

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

        if (block.RecordId != record.Id ||
            !block.PatientAccount.AsSpan().SequenceEqual(Convert.FromHexString(patient.Account.Address.AsSpan(2))))
        {
            // Only possible if the chain anchored another block under this id: never serve it.
            throw new InvalidOperationException($"The block rebuilt for record {record.Id} belongs to another record.");
        }

        try
        {
            var ciphertext = await blobs.OpenReadAsync(block.Cid, cancellationToken);
            var plaintext = new RecordDecryptingStream(ciphertext, block.Key, new ExpectedPlaintext(block.Size, block.PlaintextSha256));
            return new RecordContent(record.Id, block.FileName, block.ContentType, block.Size, plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block.Key);
        }
    }
}
