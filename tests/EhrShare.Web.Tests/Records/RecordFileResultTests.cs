using System.Buffers;
using System.Security.Cryptography;
using EhrShare.Core.Records;
using EhrShare.Web.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Records;

/// <summary>The streamed download on its own (no stack needed): what it leaves behind in the process.</summary>
public sealed class RecordFileResultTests
{
    [Fact]
    public async Task Download_HandsNoPlaintextBackToTheSharedBufferPool()
    {
        // The decrypting stream zeroes its plaintext buffer before returning it to the pool; the response's copy
        // buffer must too, or the next renter in the process gets a patient's record in it.
        var plaintext = RandomNumberGenerator.GetBytes(10_000);
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Response.Body = new MemoryStream();
        var record = new RecordContent(Guid.NewGuid(), "note.txt", "text/plain", plaintext.Length, new MemoryStream(plaintext, writable: false));

        // Everything below completes synchronously (memory streams), so the buffer goes back to this thread's pool slot.
        await new RecordFileResult(record, inline: false).ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));

        Assert.Equal(plaintext, ((MemoryStream)http.Response.Body).ToArray());
        var rented = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            Assert.True(rented.AsSpan().IndexOf(plaintext.AsSpan(0, 32)) < 0, "the record's plaintext is in a buffer handed out by the shared pool");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
