using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
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
        var access = scope.ServiceProvider.GetRequiredService<AccessManagement>();
        await access.RequestAsync(doctor.Id, patient.Address!, CancellationToken.None);
        await access.GrantAsync(patient.Id, doctor.Id, DateTimeOffset.UtcNow.AddDays(7), CancellationToken.None);
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

/// <summary>Records through HTTP, as the patient's page sends and fetches them.</summary>
public static class RecordHttp
{
    /// <summary>The page's script way: multipart body streamed, antiforgery token in the RequestVerificationToken header,
    /// JSON answer. <paramref name="file"/> null sends no file part.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(WebSession session, string title, string fileName, string contentType, HttpContent? file, string? token = null)
    {
        token ??= await TokenAsync(session);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(title), "Title" },
            { new StringContent(""), "Notes" },
        };
        if (file is not null)
        {
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            // As a browser sends it; with no file chosen it sends filename="" (which MultipartFormDataContent.Add refuses).
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"File\"", FileName = "\"" + fileName + "\"" };
            form.Add(file);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/Patient/Upload") { Content = form };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await session.Client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> UploadAsync(WebSession session, string fileName, string contentType, byte[] content) =>
        UploadAsync(session, "Lab result", fileName, contentType, new ByteArrayContent(content));

    /// <summary>The antiforgery token of the upload form on the patient's page.</summary>
    public static async Task<string> TokenAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Patient");
        return page.QuerySelector("#upload-form input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("No upload form on /Patient");
    }

    /// <summary>The JSON answer of an upload: whether it succeeded and the message shown to the patient.</summary>
    public static async Task<(bool Ok, string Message)> AnswerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var json = JsonDocument.Parse(body);
            return (json.RootElement.GetProperty("ok").GetBoolean(), json.RootElement.GetProperty("message").GetString()!);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"The upload answered {(int)response.StatusCode} without JSON: {body[..Math.Min(body.Length, 800)]}");
        }
    }

    /// <summary>The ids on the patient's records list, newest first.</summary>
    public static async Task<List<Guid>> ListedRecordIdsAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Patient");
        return [.. page.QuerySelectorAll("#records tbody tr[data-record-id]").Select(r => Guid.Parse(r.GetAttribute("data-record-id")!))];
    }

    public static async Task<WebSession> SignedInAsync(EhrAppFactory app, TestUser user)
    {
        var session = WebSession.For(app);
        await session.SignInAsync(user.Email, World.Password);
        return session;
    }
}
