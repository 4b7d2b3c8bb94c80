using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace EhrShare.Infrastructure.Tests.Ipfs;

internal static class IpfsTestFiles
{
    /// <summary>The CIDv0 Debian's ipfs_cid (an implementation independent of the node) computes for a file.</summary>
    public static async Task<string> IpfsCidAsync(string path)
    {
        var start = new ProcessStartInfo("ipfs_cid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("ipfs_cid is missing: install Debian's ipfs-cid (apt-get install ipfs-cid).", e);
        }

        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            using var json = JsonDocument.Parse(output);
            return json.RootElement.GetProperty("CIDv0").GetString()!;
        }
    }

    /// <summary>A valid CID of random content no node has seen.</summary>
    public static async Task<string> UnknownCidAsync()
    {
        var file = TempFile();
        await File.WriteAllBytesAsync(file, RandomBytes(100));
        try
        {
            return await IpfsCidAsync(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static string TempFile() =>
        Path.Combine(Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ehrshare-ipfs-tests")).FullName, Guid.NewGuid().ToString("N") + ".bin");

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        RandomNumberGenerator.Fill(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return output.ToArray();
    }

    public static async Task<(byte[] Sha256, long Length)> HashAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            length += n;
        }

        return (hash.GetHashAndReset(), length);
    }
}

/// <summary>A long pseudo-random, repeatable, non-seekable content produced on the fly (never held whole).</summary>
internal sealed class GeneratedStream(long length, int seed = 7, TimeSpan? delayPerRead = null) : Stream
{
    private readonly Random _random = new(seed);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static async Task WriteToFileAsync(string path, long length, int seed = 7)
    {
        await using var file = File.Create(path);
        await using var source = new GeneratedStream(length, seed);
        await source.CopyToAsync(file);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        _random.NextBytes(buffer[..n]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (delayPerRead is { } delay)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
