using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Core.Data;
using EhrShare.Core.Monitoring;
using EhrShare.Core.Records.Content;
using EhrShare.Core.Records.Encryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EhrShare.Core.Records;

public sealed record UploadRequest(string PatientUserId, string Title, string? Notes, string FileName, string? ContentType, Stream Content,
    RecordCategory Category = RecordCategory.Other);

/// <summary>A committed upload: the record's row and what it is called.</summary>
public sealed record UploadedRecord(MedicalRecord Record, RecordDescription Description);

/// <summary>
/// A patient uploads a record: stream → checked against its type (<see cref="CheckedContentStream"/>) → AES-256-GCM → IPFS (pinned) → block → Shamir shares on the nodes →
/// <c>addRecord</c> on the chain → committed. All or nothing: on any failure the finished steps are undone (shares
/// deleted, CID unpinned) and the record never becomes visible; after a crash the reconciler does the same.
/// </summary>
public sealed class UploadRecord(
    IEhrDbContext db,
    RecordParties parties,
    IRecordBlobStore blobs,
    IShareVault vault,
    IAccessLedger ledger,
    RecordCleanup cleanup,
    IRecordDescriptionProtector descriptions,
    IOptions<RecordOptions> options,
    TimeProvider clock,
    OperationLatencies latencies,
    ILogger<UploadRecord> logger)
{
    public async Task<UploadedRecord> ExecuteAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        using var measure = latencies.Measure("upload");
        var title = UserText.CleanLine(request.Title);
        if (title.Length is < 1 or > 200)
        {
            throw new ValidationFailedException("Give the record a title (up to 200 characters).", "Title");
        }

        var notes = UserText.CleanLines(request.Notes) is { Length: > 0 } cleanNotes ? cleanNotes : null;
        if (notes?.Length > 2000)
        {
            throw new ValidationFailedException("Notes can be up to 2000 characters.", "Notes");
        }

        if (!Enum.IsDefined(request.Category))
        {
            throw new ValidationFailedException(RecordCategories.Rule, "Category");
        }

        var sanitized = RecordFiles.SanitizeFileName(request.FileName);
        var type = RecordFiles.ResolveType(request.ContentType, sanitized, options.Value.AllowedContentTypes)
            ?? throw new ValidationFailedException(RecordFiles.TypeNotAccepted, "File");
        var fileName = RecordFiles.NameFor(sanitized, type);
        var contentType = type.ContentType;

        // The content is checked against its type as it streams: its first bytes here, before anything is stored.
        // FHIR the app serialised from a model it parsed is not parsed again (SerializedFhirResource).
        await using var content = new CheckedContentStream(
            new LimitedReadStream(request.Content, options.Value.MaxUploadBytes), type, options.Value.MaxJsonBytes,
            fhirParsedAlready: request.Content is SerializedFhirResource);
        await content.CheckStartAsync(cancellationToken);
        var patient = await parties.PatientAsync(request.PatientUserId, cancellationToken);

        var now = clock.GetUtcNow();
        var description = new RecordDescription(title, notes, fileName);
        var record = new MedicalRecord
        {
            Id = Guid.CreateVersion7(now),
            PatientUserId = patient.User.Id,
            ProtectedDescription = descriptions.Protect(description),
            ContentType = contentType,
            Category = request.Category,
            State = RecordState.Pending,
            CreatedAt = now,
            LeaseUntil = now + options.Value.UploadLease,
        };
        db.Records.Add(record);
        await db.SaveChangesAsync(cancellationToken);

        var key = RecordCipher.GenerateKey();
        byte[]? blockBytes = null;
        Task? previousQuery = null;
        Task? storing = null;
        try
        {
            // The patient's previous block is looked up while the file streams into IPFS (the context's only
            // operation meanwhile: the add does not use it).
            var previousTask = db.Records.AsNoTracking()
                .Where(r => r.PatientUserId == patient.User.Id && r.State == RecordState.Committed && r.BlockHash != null)
                .OrderByDescending(r => r.CommittedAt)
                .Select(r => r.BlockHash)
                .FirstOrDefaultAsync(cancellationToken);
            previousQuery = previousTask;

            // 1. Encrypt while streaming into IPFS; the plaintext is never held whole.
            string cid;
            RecordEncryptingStream encrypting;
            await using (encrypting = new RecordEncryptingStream(content, key, leaveOpen: true))
            using (latencies.Measure("ipfs.add"))
            {
                cid = await blobs.AddAsync(encrypting, cancellationToken);
            }

            // Known to the rollback from here (it saves the record, CID included, before it unpins).
            record.PendingCid = cid;
            record.Size = encrypting.PlaintextLength;

            // 2. The block: where the record is and the key that opens it, linked to the patient's previous block.
            var previous = await previousTask;
            var block = new RecordBlock
            {
                RecordId = record.Id,
                PatientAccount = Convert.FromHexString(patient.Account.Address.AsSpan(2)),
                Aid = patient.Address.Aid,
                Pid = patient.Address.Pid,
                Cid = cid,
                Key = key,
                PlaintextSha256 = encrypting.PlaintextSha256,
                Size = encrypting.PlaintextLength,
                FileName = fileName,
                ContentType = contentType,
                CreatedAt = now,
                PreviousBlockHash = previous,
            };
            blockBytes = block.Serialize();
            record.BlockHash = RecordBlock.Hash(blockBytes);
            record.LeaseUntil = clock.GetUtcNow() + options.Value.UploadLease;

            // The CID, the size and the block hash are durable in one write before any share is stored.
            await db.SaveChangesAsync(cancellationToken);

            // 3. Shares on the nodes, 4. the hash on the chain (its gas estimated, which surfaces a revert, while the
            // shares are stored; sent only once they are), 5. committed.
            storing = StoreSharesAsync(record.Id, blockBytes, cancellationToken);
            using (latencies.Measure("chain.transaction"))
            {
                await ledger.AddRecordAsync(patient.Account, record.Id, record.BlockHash, storing, cancellationToken);
            }

            record.State = RecordState.Committed;
            record.CommittedAt = clock.GetUtcNow();
            record.PendingCid = null;
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogInformation("Record {RecordId} committed ({Size} bytes)", record.Id, record.Size);
            return new UploadedRecord(record, description);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning("Upload of record {RecordId} failed at {Stage}: {Error}; rolling back", record.Id,
                record.BlockHash is null ? (record.PendingCid is null ? "ipfs" : "block") : "shares/chain", e.Message);

            // Nothing still running may race the rollback: the lookup (same context) and the shares' store.
            await SettledAsync(previousQuery);
            await SettledAsync(storing);
            await cleanup.RollBackAsync(record, e.Message, CancellationToken.None);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            if (blockBytes is not null)
            {
                CryptographicOperations.ZeroMemory(blockBytes);
            }
        }
    }

    private async Task StoreSharesAsync(Guid recordId, byte[] blockBytes, CancellationToken cancellationToken)
    {
        using (latencies.Measure("shares.store"))
        {
            await vault.StoreAsync(recordId, blockBytes, cancellationToken);
        }
    }

    private static async Task SettledAsync(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task;
        }
        catch (Exception)
        {
            // Its failure is the upload's (or moot once another step failed); only its end matters here.
        }
    }
}
