using System.Buffers;
using System.Security.Cryptography;
using EhrShare.Core.Common;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// Streams a decrypted record to the browser, inline (view) or as an attachment (download). The first segment is
/// decrypted and verified before any header is sent, so a record that fails its integrity check gets a clear error
/// page and no bytes; a failure later in the stream aborts the connection, so a partial download never looks complete.
/// Inline responses get a sandboxing content security policy: a record can never run script in the app's origin.
/// </summary>
public sealed class RecordFileResult(RecordContent record, bool inline) : IActionResult
{
    private const int BufferSize = 64 * 1024;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var logger = http.RequestServices.GetRequiredService<ILogger<RecordFileResult>>();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        await using var content = record.Content;
        try
        {
            int first;
            try
            {
                first = await content.ReadAsync(buffer.AsMemory(0, BufferSize), http.RequestAborted);
            }
            catch (RecordIntegrityException e)
            {
                logger.LogError("Record {RecordId} failed its integrity check before any byte was sent: {Failure}", record.RecordId, e.Failure);
                await ErrorResponses.StatusPage(http, e).ExecuteResultAsync(context);
                return;
            }
            catch (DependencyUnavailableException e)
            {
                // IPFS answered the open but could not deliver the first bytes (a lost block, a node gone): nothing
                // was sent yet, so say so as every other unavailable service is said (exception filters do not see
                // exceptions thrown while a result executes).
                logger.LogWarning(e, "Record {RecordId}: {Dependency} failed before any byte was sent", record.RecordId, e.Dependency);
                await ErrorResponses.StatusPage(http, e).ExecuteResultAsync(context);
                return;
            }

            var response = http.Response;
            var viewable = inline && RecordFiles.IsViewableInline(record.ContentType);
            response.ContentType = record.ContentType + (record.ContentType.StartsWith("text/", StringComparison.Ordinal) ? "; charset=utf-8" : "");
            response.ContentLength = record.Size;
            var disposition = new ContentDispositionHeaderValue(viewable ? "inline" : "attachment");
            disposition.SetHttpFileName(record.FileName);
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.CacheControl = "no-store, private";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; plugin-types application/pdf; sandbox; frame-ancestors 'self'";
            try
            {
                var read = first;
                while (read > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
                    read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), http.RequestAborted);
                }
            }
            catch (RecordIntegrityException e)
            {
                logger.LogError("Record {RecordId} failed its integrity check mid-stream ({Failure}); connection aborted", record.RecordId, e.Failure);
                http.Abort();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // IPFS went away mid-stream, for instance: the headers are gone, so the only honest signal left is to
                // cut the connection (the Content-Length tells the browser the download is incomplete).
                logger.LogWarning("Record {RecordId}: streaming failed ({Error}); connection aborted", record.RecordId, e.Message);
                http.Abort();
            }
        }
        finally
        {
            // It held plaintext: never hand a record back to the process-wide pool (as the decrypting stream does not).
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
