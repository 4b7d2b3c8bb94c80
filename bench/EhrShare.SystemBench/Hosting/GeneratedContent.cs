using System.Net;
using System.Security.Cryptography;

namespace EhrShare.SystemBench.Hosting;

/// <summary>
/// A file body of any length that is never held whole: 64 KiB of random bytes, written again and again with a counter in
/// its first bytes (so no two chunks are alike). Its length is known, so the request carries a Content-Length as a
/// browser's form upload does. Used for the large-file memory measurement, where the client shares the process. It
/// starts as a PDF does (the app checks content against the declared type).
/// </summary>
public sealed class GeneratedContent(long bytes) : HttpContent
{
    private const int Chunk = 64 * 1024;

    public static ReadOnlySpan<byte> PdfSignature => "%PDF-1.7\n"u8;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var buffer = RandomNumberGenerator.GetBytes(Chunk);
        for (long written = 0, i = 0; written < bytes; i++)
        {
            BitConverter.TryWriteBytes(buffer, i);
            if (i == 0)
            {
                PdfSignature.CopyTo(buffer);
            }

            var n = (int)Math.Min(Chunk, bytes - written);
            await stream.WriteAsync(buffer.AsMemory(0, n));
            written += n;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes;
        return true;
    }
}
