using System.Security.Cryptography;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Records;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Records.Support;

/// <summary>Records through the use cases, each call in its own scope as a request would be.</summary>
public static class RecordActions
{
    public static async Task<MedicalRecord> UploadAsync(
        EhrAppFactory app, string patientUserId, Stream content, string fileName = "result.pdf", string contentType = "application/pdf", string title = "Lab result")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var uploaded = await scope.ServiceProvider.GetRequiredService<UploadRecord>()
            .ExecuteAsync(new UploadRequest(patientUserId, title, null, fileName, contentType, content), CancellationToken.None);
        return uploaded.Record;
    }

    public static Task<MedicalRecord> UploadAsync(EhrAppFactory app, string patientUserId, byte[] content) =>
        UploadAsync(app, patientUserId, new MemoryStream(content, writable: false));

    /// <summary>Opens the record and reads it to its end.</summary>
    public static async Task<byte[]> ReadAsync(EhrAppFactory app, string readerUserId, Guid recordId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var record = await scope.ServiceProvider.GetRequiredService<ReadRecord>().OpenAsync(readerUserId, recordId, CancellationToken.None);
        await using var content = record.Content;
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Opens the record and reads it to its end, keeping only a hash (for records too large to compare in memory twice).</summary>
    public static async Task<(long Length, byte[] Sha256)> ReadHashAsync(EhrAppFactory app, string readerUserId, Guid recordId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var record = await scope.ServiceProvider.GetRequiredService<ReadRecord>().OpenAsync(readerUserId, recordId, CancellationToken.None);
        await using var content = record.Content;
        return await HashAsync(content);
    }

    /// <summary>Reads until the stream ends or fails; returns what came out before, and the failure.</summary>
    public static async Task<(byte[] Released, Exception? Failure)> ReadUntilFailureAsync(EhrAppFactory app, string readerUserId, Guid recordId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var record = await scope.ServiceProvider.GetRequiredService<ReadRecord>().OpenAsync(readerUserId, recordId, CancellationToken.None);
        await using var content = record.Content;
        using var released = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer)) > 0)
            {
                released.Write(buffer, 0, read);
            }

            return (released.ToArray(), null);
        }
        catch (Exception e)
        {
            return (released.ToArray(), e);
        }
    }

    public static async Task<bool> RemoveAsync(EhrAppFactory app, string patientUserId, Guid recordId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RemoveRecord>().ExecuteAsync(patientUserId, recordId, CancellationToken.None);
    }

    public static async Task<ReconcileReport> ReconcileAsync(EhrAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReconcileRecords>().RunOnceAsync(CancellationToken.None);
    }

    public static async Task<byte[]?> AnchoredHashAsync(EhrAppFactory app, TestUser patient, Guid recordId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var account = await AccountOfAsync(app, patient.Id);
        return await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetRecordHashAsync(account, recordId, CancellationToken.None);
    }

    public static async Task<string> AccountOfAsync(EhrAppFactory app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Core.Data.IEhrDbContext>();
        return (await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.ChainAccounts, a => a.UserId == userId)).Address;
    }

    /// <summary>The doctor asks for access and the patient grants it for a week, through the access use cases.</summary>
    public static async Task GrantAsync(EhrAppFactory app, TestUser patient, TestUser doctor)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RequestAccess>().ExecuteAsync(doctor.Id, patient.Address!, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<GrantAccess>().ExecuteAsync(patient.Id, doctor.Id, DateTimeOffset.UtcNow.AddDays(7), CancellationToken.None);
    }

    public static async Task<(long Length, byte[] Sha256)> HashAsync(Stream content)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await content.ReadAsync(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
        }

        return (length, sha.GetHashAndReset());
    }
}
