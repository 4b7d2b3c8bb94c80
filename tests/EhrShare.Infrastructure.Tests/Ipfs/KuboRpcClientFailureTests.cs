using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using static EhrShare.Infrastructure.Tests.Ipfs.IpfsTestFiles;

namespace EhrShare.Infrastructure.Tests.Ipfs;

/// <summary>Each test runs its own node (or a misbehaving fake) so that it can stop it.</summary>
public class KuboRpcClientFailureTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Calls_WhenTheNodeIsStopped_FailPromptlyAsUnreachable()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);
        var added = await ipfs.AddAsync(new MemoryStream(RandomBytes(100)), "x");
        await node.StopAsync();

        foreach (var call in new Func<Task>[]
                 {
                     () => ipfs.VersionAsync(),
                     () => ipfs.CatAsync(added.Cid),
                     () => ipfs.AddAsync(new MemoryStream(RandomBytes(100)), "x"),
                     () => ipfs.PinRmAsync(added.Cid),
                     () => ipfs.RepoStatAsync(),
                 })
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<IpfsUnavailableException>(call);
            Assert.Equal(IpfsUnavailableReason.Unreachable, error.Reason);
            Assert.Contains(node.ApiUrl, error.Message, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task Pins_SurviveANodeCrashAndRestart()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);
        var content = RandomBytes(700_000);
        var pinned = await ipfs.AddAsync(new MemoryStream(content), "kept");
        var unpinned = await ipfs.AddAsync(new MemoryStream(RandomBytes(1000)), "gone");
        await ipfs.PinRmAsync(unpinned.Cid);

        await node.RestartAsync();

        var pins = await ipfs.PinLsAsync();
        Assert.Contains(pinned.Cid, pins);
        Assert.DoesNotContain(unpinned.Cid, pins);
        await using var cat = await ipfs.CatAsync(pinned.Cid);
        Assert.Equal(content, await ReadAllAsync(cat));
    }

    [Fact]
    public async Task Cat_WhenTheNodeDiesMidStream_FailsInsteadOfEndingQuietly()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);
        var added = await ipfs.AddAsync(new GeneratedStream(30L * 1024 * 1024), "big");
        await using var cat = await ipfs.CatAsync(added.Cid);
        var buffer = new byte[1024 * 1024];
        await cat.ReadAtLeastAsync(buffer, buffer.Length);

        await node.StopAsync();

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IpfsUnavailableException>(async () =>
        {
            while (await cat.ReadAsync(buffer) > 0)
            {
            }
        });
        Assert.Equal(IpfsUnavailableReason.ConnectionLost, error.Reason);
        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Add_WhenTheNodeDiesMidUpload_FailsPromptly()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);
        await using var slowSource = new GeneratedStream(100L * 1024 * 1024, delayPerRead: TimeSpan.FromMilliseconds(20));

        var upload = ipfs.AddAsync(slowSource, "slow");
        await Task.Delay(500);
        await node.StopAsync();

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IpfsUnavailableException>(() => upload);
        Assert.Equal(IpfsUnavailableReason.ConnectionLost, error.Reason);
        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Cat_OfAFileWithABlockMissing_FailsInsteadOfEndingEarly()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);
        var added = await ipfs.AddAsync(new MemoryStream(RandomBytes(1024 * 1024)), "four-chunks");
        // Delete one 256 KiB leaf (the root block is small): the node only finds out mid-stream.
        var leaf = Directory.EnumerateFiles(Path.Combine(node.RepoDir, "blocks"), "*.data", SearchOption.AllDirectories)
            .Select(f => new FileInfo(f))
            .Where(f => f.Length > 200_000)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Last();
        leaf.Delete();

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var cat = await ipfs.CatAsync(added.Cid);
            await ReadAllAsync(cat);
        });

        var ipfsError = Assert.IsType<IpfsException>(error);
        Assert.Contains("not found", ipfsError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmallCalls_ToANodeThatNeverAnswers_TimeOut()
    {
        await using var silent = await FakeNode.StartAsync(FakeNode.Behaviour.AcceptAndStaySilent);
        using var host = await IpfsTestHost.StartHost(silent.ApiUrl, new Dictionary<string, string?> { ["Ipfs:RequestTimeout"] = "00:00:00.300" });
        var ipfs = IpfsTestHost.Client(host);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IpfsUnavailableException>(() => ipfs.VersionAsync());

        Assert.Equal(IpfsUnavailableReason.TimedOut, error.Reason);
        Assert.Contains("Ipfs:RequestTimeout", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < Prompt, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Cat_FromANodeThatStallsMidStream_TimesOut()
    {
        await using var stalling = await FakeNode.StartAsync(FakeNode.Behaviour.StartCatThenStall);
        // The idle timeout also covers the wait for the headers: 5 s, which a loaded machine meets (1 s did not, under
        // stress-ng --cpu 2). The stall is then cut by it, well before the node's own end.
        using var host = await IpfsTestHost.StartHost(stalling.ApiUrl, new Dictionary<string, string?> { ["Ipfs:StreamIdleTimeout"] = "00:00:05" });
        var ipfs = IpfsTestHost.Client(host);
        await using var cat = await ipfs.CatAsync("QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN");
        var buffer = new byte[100];
        Assert.Equal(5, await cat.ReadAsync(buffer));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IpfsUnavailableException>(async () => await cat.ReadAtLeastAsync(buffer, 1));

        Assert.Equal(IpfsUnavailableReason.TimedOut, error.Reason);
        Assert.Contains("Ipfs:StreamIdleTimeout", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}: the stall was not cut at the idle timeout");
    }

    [Fact]
    public async Task Add_ToANodeThatStopsReading_TimesOut()
    {
        await using var silent = await FakeNode.StartAsync(FakeNode.Behaviour.AcceptAndStaySilent);
        using var host = await IpfsTestHost.StartHost(silent.ApiUrl, new Dictionary<string, string?> { ["Ipfs:StreamIdleTimeout"] = "00:00:00.500" });
        var ipfs = IpfsTestHost.Client(host);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IpfsUnavailableException>(() => ipfs.AddAsync(new GeneratedStream(200L * 1024 * 1024), "big"));

        Assert.Equal(IpfsUnavailableReason.TimedOut, error.Reason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Add_WhoseContentFailsToRead_SurfacesTheContentsError()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var ipfs = IpfsTestHost.Client(host);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ipfs.AddAsync(new FailingStream(), "broken"));

        Assert.Equal("the uploader went away", error.Message);
        Assert.Equal("ok", (await ipfs.VersionAsync()).Version is { Length: > 0 } ? "ok" : "no");
    }

    [Fact]
    public async Task HealthCheck_IsHealthyWhileTheNodeRuns_AndUnhealthyWithAReasonWhenItStops()
    {
        await using var node = await IpfsDevNodeProcess.StartAsync();
        using var host = await node.StartHostAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var up = await health.CheckHealthAsync();
        await node.StopAsync();
        var down = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, up.Entries["ipfs"].Status);
        Assert.Equal(HealthStatus.Unhealthy, down.Entries["ipfs"].Status);
        Assert.StartsWith("IPFS node is down: ", down.Entries["ipfs"].Description, StringComparison.Ordinal);
        Assert.Contains(node.ApiUrl, down.Entries["ipfs"].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:5001")]
    [InlineData("http://127.0.0.1:5001/api/v0")]
    public async Task StartingWithoutAUsableApiUrl_FailsNamingTheSetting(string? apiUrl)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => IpfsTestHost.StartHost(apiUrl));

        Assert.Contains("Ipfs:ApiUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartingWithANonPositiveTimeout_FailsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            IpfsTestHost.StartHost("http://127.0.0.1:5001", new Dictionary<string, string?> { ["Ipfs:StreamIdleTimeout"] = "00:00:00" }));

        Assert.Contains("Ipfs:StreamIdleTimeout", error.Message, StringComparison.Ordinal);
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ++_reads > 3 ? throw new InvalidDataException("the uploader went away") : Math.Min(count, 1000);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A loopback TCP server that misbehaves on purpose, to prove the client never hangs.</summary>
internal sealed class FakeNode : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _loop;

    private FakeNode(Behaviour behaviour)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = AcceptAsync(behaviour);
    }

    public enum Behaviour
    {
        AcceptAndStaySilent,
        StartCatThenStall,
    }

    public string ApiUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static Task<FakeNode> StartAsync(Behaviour behaviour) => Task.FromResult(new FakeNode(behaviour));

    private async Task AcceptAsync(Behaviour behaviour)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_clients)
                {
                    _clients.Add(client);
                }

                if (behaviour == Behaviour.StartCatThenStall)
                {
                    var stream = client.GetStream();
                    var headers = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nX-Content-Length: 6\r\n\r\n5\r\nhello\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), _stop.Token);
                }

                // Then nothing more: no answer, no reading, until disposed.
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }
}
