using EhrShare.Core.Records.Encryption;
using EhrShare.Testing;
using Xunit.Abstractions;
using static EhrShare.Infrastructure.Tests.Ipfs.IpfsTestFiles;

namespace EhrShare.Infrastructure.Tests.Ipfs;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IpfsMemoryCollection
{
    public const string Name = "IPFS memory (runs alone)";
}

/// <summary>
/// Large records go through encryption and the client without being held in memory: what the process allocates
/// for 50 MiB is a small fraction of it. Runs with no other test in parallel so the process-wide count is fair.
/// </summary>
[Collection(IpfsMemoryCollection.Name)]
public class IpfsMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EncryptedUploadAndDecryptedDownloadOf50MiB_AllocateFarLessThanTheRecord()
    {
        const long length = 50L * 1024 * 1024;
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);
        var key = RecordCipher.GenerateKey();
        await ipfs.VersionAsync(); // connection and JIT warm-up

        var before = GC.GetTotalAllocatedBytes(precise: true);
        string cid;
        await using (var encryptor = new RecordEncryptingStream(new GeneratedStream(length), key))
        {
            cid = (await ipfs.AddAsync(encryptor, "record")).Cid;
        }

        var afterUpload = GC.GetTotalAllocatedBytes(precise: true);
        await using (var decryptor = new RecordDecryptingStream(await ipfs.CatAsync(cid), key))
        {
            Assert.Equal(length, (await HashAsync(decryptor)).Length);
        }

        var afterDownload = GC.GetTotalAllocatedBytes(precise: true);
        output.WriteLine($"upload allocated {afterUpload - before:N0} bytes, download {afterDownload - afterUpload:N0} bytes");
        Assert.True(afterUpload - before < 8 * 1024 * 1024, $"upload allocated {afterUpload - before:N0} bytes");
        Assert.True(afterDownload - afterUpload < 8 * 1024 * 1024, $"download allocated {afterDownload - afterUpload:N0} bytes");
    }
}
