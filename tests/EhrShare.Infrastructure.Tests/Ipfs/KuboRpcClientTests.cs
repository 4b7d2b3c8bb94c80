using System.Net;
using System.Security.Cryptography;
using EhrShare.Infrastructure.Ipfs;
using static EhrShare.Infrastructure.Tests.Ipfs.IpfsTestFiles;

namespace EhrShare.Infrastructure.Tests.Ipfs;

[Collection(DevNodeCollection.Name)]
public class KuboRpcClientTests(DevNodeFixture fixture)
{
    private KuboRpcClient Ipfs => fixture.Client;

    [Fact]
    public async Task Add_HelloNewline_GivesKubosCid()
    {
        var result = await Ipfs.AddAsync(new MemoryStream("hello\n"u8.ToArray()), "hello.txt");

        Assert.Equal("QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN", result.Cid);
        Assert.Equal("hello.txt", result.Name);
        Assert.Equal(14, result.Size);
    }

    [Fact]
    public async Task Add_Random3MiB_GivesTheCidOfDebiansIpfsCid_AndCatReturnsTheSameBytes()
    {
        var content = RandomBytes(3 * 1024 * 1024);
        var file = TempFile();
        await File.WriteAllBytesAsync(file, content);
        try
        {
            var result = await Ipfs.AddAsync(new MemoryStream(content), "random.bin");

            Assert.Equal(await IpfsCidAsync(file), result.Cid);
            await using var cat = await Ipfs.CatAsync(result.Cid);
            Assert.Equal(content, await ReadAllAsync(cat));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AddAndCat_50MiB_StreamThroughWithKubosCid()
    {
        const long length = 50L * 1024 * 1024;
        var file = TempFile();
        await GeneratedStream.WriteToFileAsync(file, length, seed: 50);
        try
        {
            // A non-seekable source of unknown length: the upload is streamed (chunked), not buffered.
            await using var source = new GeneratedStream(length, seed: 50);
            var result = await Ipfs.AddAsync(source, "big.bin");

            Assert.Equal(await IpfsCidAsync(file), result.Cid);
            await using var cat = await Ipfs.CatAsync(result.Cid);
            var (sha256, catLength) = await HashAsync(cat);
            Assert.Equal(length, catLength);
            await using var original = File.OpenRead(file);
            Assert.Equal(await SHA256.HashDataAsync(original), sha256);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Add_PinsByDefault_AndCanLeaveUnpinned()
    {
        var pinned = await Ipfs.AddAsync(new MemoryStream(RandomBytes(1000)), "a");
        var unpinned = await Ipfs.AddAsync(new MemoryStream(RandomBytes(1000)), "b", new IpfsAddOptions { Pin = false });

        var pins = await Ipfs.PinLsAsync();

        Assert.Contains(pinned.Cid, pins);
        Assert.DoesNotContain(unpinned.Cid, pins);
    }

    [Fact]
    public async Task PinRm_UnpinsOnce_AndAgainIsHarmless()
    {
        var added = await Ipfs.AddAsync(new MemoryStream(RandomBytes(5000)), "record");

        Assert.True(await Ipfs.PinRmAsync(added.Cid));
        Assert.False(await Ipfs.PinRmAsync(added.Cid));
        Assert.DoesNotContain(added.Cid, await Ipfs.PinLsAsync());
    }

    [Fact]
    public async Task PinAdd_PinsAContentAgain()
    {
        var added = await Ipfs.AddAsync(new MemoryStream(RandomBytes(5000)), "record", new IpfsAddOptions { Pin = false });

        await Ipfs.PinAddAsync(added.Cid);

        Assert.Contains(added.Cid, await Ipfs.PinLsAsync());
    }

    [Fact]
    public async Task Unpinned_IsCollectedByRepoGc_AndCanNoLongerBeRead()
    {
        var kept = await Ipfs.AddAsync(new MemoryStream(RandomBytes(300_000)), "kept");
        var dropped = await Ipfs.AddAsync(new MemoryStream(RandomBytes(600_000)), "dropped");
        await Ipfs.PinRmAsync(dropped.Cid);

        var removed = await Ipfs.RepoGcAsync();

        Assert.NotEmpty(removed);
        var error = await Assert.ThrowsAsync<IpfsException>(() => Ipfs.CatAsync(dropped.Cid));
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
        await using var cat = await Ipfs.CatAsync(kept.Cid);
        Assert.Equal(300_000, (await ReadAllAsync(cat)).Length);
    }

    [Fact]
    public async Task Cat_OfAnUnknownCid_FailsWithKubosMessage()
    {
        var neverAdded = await UnknownCidAsync();

        var error = await Assert.ThrowsAsync<IpfsException>(() => Ipfs.CatAsync(neverAdded));

        Assert.Equal($"block was not found locally (offline): ipld: could not find {neverAdded}", error.Message);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(0, error.KuboCode);
        Assert.Equal("cat", error.Command);
    }

    [Fact]
    public async Task Cat_OfAMalformedCid_FailsWithKubosMessage()
    {
        var error = await Assert.ThrowsAsync<IpfsException>(() => Ipfs.CatAsync("notacid"));

        Assert.Equal("invalid path \"notacid\": path does not have enough components", error.Message);
        Assert.Equal(0, error.KuboCode);
    }

    [Fact]
    public async Task PinAdd_OfAnUnknownCid_Fails()
    {
        var neverAdded = await UnknownCidAsync();

        var error = await Assert.ThrowsAsync<IpfsException>(() => Ipfs.PinAddAsync(neverAdded));

        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinRm_OfAMalformedCid_IsAnErrorNotSuccess()
    {
        await Assert.ThrowsAsync<IpfsException>(() => Ipfs.PinRmAsync("notacid"));
    }

    [Fact]
    public async Task VersionIdAndRepoStat_AreParsed()
    {
        await Ipfs.AddAsync(new MemoryStream(RandomBytes(10)), "x");

        var version = await Ipfs.VersionAsync();
        var id = await Ipfs.IdAsync();
        var stat = await Ipfs.RepoStatAsync();

        Assert.False(string.IsNullOrEmpty(version.Version));
        Assert.StartsWith("12D3KooW", id.Id, StringComparison.Ordinal);
        Assert.StartsWith("ehrshare-ipfs-dev-node/", id.AgentVersion, StringComparison.Ordinal);
        Assert.True(stat.NumObjects > 0);
        Assert.True(stat.RepoSize > 0);
        Assert.True(stat.StorageMax > 0);
        Assert.Equal(Path.GetFullPath(fixture.Node.RepoDir), stat.RepoPath);
    }

    [Fact]
    public async Task DevNode_AnswersLikeKuboToWrongMethodsAndUnknownCommands()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Node.ApiUrl) };

        using var get = await http.GetAsync(new Uri("/api/v0/version", UriKind.Relative));
        using var unknown = await http.PostAsync(new Uri("/api/v0/no/such/command", UriKind.Relative), null);
        using var foreignOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/v0/version");
        foreignOrigin.Headers.Add("Origin", "http://evil.example");
        using var forbidden = await http.SendAsync(foreignOrigin);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task DevNode_ReportsAMissingArgumentAsAClientError()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Node.ApiUrl) };

        using var response = await http.PostAsync(new Uri("/api/v0/cat", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"Message\":\"argument \\\"ipfs-path\\\" is required\",\"Code\":1,\"Type\":\"error\"}\n", await response.Content.ReadAsStringAsync());
    }
}
