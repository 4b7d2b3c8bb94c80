using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using EhrShare.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.Benchmarks.ShareNodes;

/// <summary>
/// Store and read of a 1 KiB block across the test stack's share nodes (n = 5, k = 3 there): the real
/// <see cref="ShareVault"/>, which talks to every node at once, against a baseline that does the same SQL and the
/// same checks one node after another, in the same run.
/// <list type="bullet">
/// <item>Store: split, then one upsert per node (n statements), node after node.</item>
/// <item>Read: one SELECT per node (n statements, as the vault issues), node after node; the block is rebuilt
/// and verified against its hash once k shares are in (the vault's own <c>ShareRebuild</c>), and the later
/// shares are checked against it (the vault checks those in the background, after it has returned).</item>
/// </list>
/// An extra read row stops after k nodes (fewer statements than the vault), for comparison only.
/// <see cref="RoundTripMs"/> = 0 talks to the local MariaDB directly (every node on one server and on this
/// machine's two cores: no latency to hide, and parallel work competes for the same CPU); 2 puts each node behind
/// a <see cref="LatencyProxy"/> adding a 2 ms round trip, as for nodes on separate servers. Needs the test stack
/// (<c>./ehr stack up test</c> and the app's <c>setup</c>); without it the class is skipped with a message and the
/// other benchmarks run. Run:
/// <c>dotnet run -c Release --project bench/EhrShare.Benchmarks -- --filter '*ShareNodeBenchmarks*'</c>.
/// </summary>
[Config(typeof(ShareNodeBenchmarkConfig))]
public class ShareNodeBenchmarks
{
    private const int BlockSize = 1024;
    private readonly Guid _recordId = Guid.NewGuid();
    private readonly byte[] _block = RandomNumberGenerator.GetBytes(BlockSize);
    private byte[] _hash = [];
    private ShareVault _vault = null!;
    private IReadOnlyList<ShareNode> _nodes = [];
    private int _threshold;
    private ShareField _field;
    private string _directConnectionString = "";
    private long _connectionsAtStart;
    private List<LatencyProxy> _proxies = [];

    /// <summary>Round-trip time added between the app and each node, in milliseconds.</summary>
    [Params(0, 2)]
    public int RoundTripMs { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var stack = ShareNodeBenchmarkConfig.StackOptions()
            ?? throw new InvalidOperationException(ShareNodeBenchmarkConfig.SkipMessage());
        var options = new ShareNodeOptions
        {
            Threshold = stack.Threshold,
            Nodes = [.. stack.Nodes.Select(n => new ShareNodeEndpoint { Name = n.Name, ConnectionString = n.ConnectionString })],
        };
        _directConnectionString = stack.Nodes[0].ConnectionString;
        if (RoundTripMs > 0)
        {
            foreach (var node in options.Nodes)
            {
                var builder = new MySqlConnectionStringBuilder(node.ConnectionString);
                var target = new IPEndPoint(IPAddress.Parse(builder.Server), (int)builder.Port);
                var proxy = new LatencyProxy(target, TimeSpan.FromMilliseconds(RoundTripMs));
                _proxies.Add(proxy);
                builder.Port = (uint)proxy.Port;
                node.ConnectionString = builder.ConnectionString;
            }
        }

        _vault = new ShareVault(
            Options.Create(options),
            new DiscardedProblems(),
            NullLogger<ShareVault>.Instance);
        _nodes = _vault.Nodes;
        _threshold = options.Threshold;
        _field = options.GetShareField();
        _hash = SHA256.HashData(_block);
        await _vault.StoreAsync(_recordId, _block, CancellationToken.None);

        // What one statement on one node costs here (pooled connection), so the report can say what the added
        // latency really was: timers make the proxy's delay a little longer than asked.
        await _nodes[0].ReadAsync(_recordId, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await _nodes[0].ReadAsync(_recordId, CancellationToken.None);
        }

        Console.WriteLine(
            $"// RoundTripMs={RoundTripMs}: one share read from one node takes {clock.Elapsed.TotalMilliseconds / 20:0.00} ms here");
        _connectionsAtStart = await ServerConnectionsAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // The pools should have stopped opening connections after the warm-up: say if they did not.
        var opened = await ServerConnectionsAsync() - _connectionsAtStart - 1; // less the one counting them
        Console.WriteLine($"// RoundTripMs={RoundTripMs}: the server accepted {opened} new connection(s) during the measurement");
        await _vault.DestroyAsync(_recordId, CancellationToken.None);
        MySqlConnection.ClearAllPools();
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        _proxies = [];
    }

    [BenchmarkCategory("Store+read"), Benchmark(Baseline = true, Description = "store + read, node after node")]
    public async Task<int> StoreAndReadSequential()
    {
        await StoreSequentialAsync();
        return await ReadSequentialAsync(stopAtThreshold: false);
    }

    [BenchmarkCategory("Store+read"), Benchmark(Description = "store + read, parallel (ShareVault)")]
    public async Task<int> StoreAndReadParallel()
    {
        await _vault.StoreAsync(_recordId, _block, CancellationToken.None);
        return await ReadParallelAsync();
    }

    [BenchmarkCategory("Store"), Benchmark(Baseline = true, Description = "store, node after node")]
    public Task StoreSequential() => StoreSequentialAsync();

    [BenchmarkCategory("Store"), Benchmark(Description = "store, parallel (ShareVault)")]
    public Task StoreParallel() => _vault.StoreAsync(_recordId, _block, CancellationToken.None);

    [BenchmarkCategory("Read"), Benchmark(Baseline = true, Description = "read, node after node (all n)")]
    public Task<int> ReadSequential() => ReadSequentialAsync(stopAtThreshold: false);

    [BenchmarkCategory("Read"), Benchmark(Description = "read, parallel (ShareVault)")]
    public Task<int> ReadParallel() => ReadParallelAsync();

    [BenchmarkCategory("Read"), Benchmark(Description = "read, node after node, stop at k (fewer queries)")]
    public Task<int> ReadSequentialUntilK() => ReadSequentialAsync(stopAtThreshold: true);

    /// <summary>What <see cref="ShareVault.StoreAsync"/> does, with the writes one after another.</summary>
    private async Task StoreSequentialAsync()
    {
        var shares = Shamir.Split(_recordId, _block, _nodes.Count, _threshold, _field);
        var serialized = new byte[shares.Length][];
        for (var i = 0; i < shares.Length; i++)
        {
            serialized[i] = shares[i].ToBytes();
        }

        ShareAnswer.Clear(shares);
        try
        {
            foreach (var node in _nodes)
            {
                await node.WriteAsync(_recordId, ShareVault.FirstGeneration, serialized[node.Index], CancellationToken.None);
            }
        }
        finally
        {
            foreach (var bytes in serialized)
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }

    /// <summary>
    /// What <see cref="ShareVault.RebuildAsync"/> does, with the reads one after another: parse each node's share,
    /// rebuild and verify once k are good, then (unless <paramref name="stopAtThreshold"/>) read the remaining
    /// nodes and check that their shares agree with the rebuilt block.
    /// </summary>
    private async Task<int> ReadSequentialAsync(bool stopAtThreshold)
    {
        var answers = new List<ShareAnswer>(_nodes.Count);
        RebuiltBlock? block = null;
        try
        {
            foreach (var node in _nodes)
            {
                var answer = ShareAnswer.FromStored(node, _recordId, await node.ReadAsync(_recordId, CancellationToken.None)).Single();
                answers.Add(answer);
                if (block is null)
                {
                    if (answer.State == ShareAnswerState.Good
                        && answers.Count(a => a.State == ShareAnswerState.Good) >= ShareRebuild.SmallestThreshold(answers, _threshold))
                    {
                        block = ShareRebuild.TryRebuildNewest(answers, _hash);
                        if (block is not null && stopAtThreshold)
                        {
                            break;
                        }
                    }
                }
                else if (answer.Share is not { } share || !block.Agrees(share))
                {
                    throw new InvalidOperationException($"{node.Name}'s share does not agree with the rebuilt block.");
                }
            }

            if (block is null)
            {
                throw new InvalidOperationException("The sequential read could not rebuild the block.");
            }

            var length = block.Secret.Length;
            CryptographicOperations.ZeroMemory(block.Secret);
            return length;
        }
        finally
        {
            ShareAnswer.Clear(answers);
        }
    }

    private async Task<int> ReadParallelAsync()
    {
        var block = await _vault.RebuildAsync(_recordId, _hash, CancellationToken.None);
        var length = block.Length;
        CryptographicOperations.ZeroMemory(block);
        return length;
    }

    /// <summary>The server's count of connections accepted since it started, this one included (every node of the
    /// test stack is a database on the same server).</summary>
    private async Task<long> ServerConnectionsAsync()
    {
        await using var connection = new MySqlConnection(new MySqlConnectionStringBuilder(_directConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SHOW GLOBAL STATUS LIKE 'Connections'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? long.Parse(reader.GetString(1), CultureInfo.InvariantCulture) : 0;
    }
}

/// <summary>
/// One launch, enough iterations for a usable mean of an I/O-bound benchmark on a 2-core machine, with the ratio to
/// the node-after-node baseline per category and round trip. The class is filtered out, with one message saying
/// why, when the test stack's share nodes do not answer; other benchmark classes are not affected.
/// </summary>
public sealed class ShareNodeBenchmarkConfig : ManualConfig
{
    private static readonly Lazy<(ShareNodeOptions? Options, string? Problem)> Stack = new(Probe);
    private static int _told;

    public ShareNodeBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15));
        AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond, CategoriesColumn.Default);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams);
        HideColumns(Column.Job, Column.LaunchCount, Column.WarmupCount, Column.IterationCount);
        AddFilter(new SimpleFilter(_ =>
        {
            if (Stack.Value.Options is not null)
            {
                return true;
            }

            if (Interlocked.Exchange(ref _told, 1) == 0)
            {
                Console.WriteLine(SkipMessage());
            }

            return false;
        }));
    }

    /// <summary>The test stack's share nodes, or null when they are not configured or do not answer.</summary>
    public static ShareNodeOptions? StackOptions() => Stack.Value.Options;

    public static string SkipMessage() =>
        $"// ShareNodeBenchmarks skipped: {Stack.Value.Problem ?? "the test stack's share nodes do not answer"}. "
        + "Start the test stack ('./ehr stack up test') and run the app's setup against it (as './ehr test' does), "
        + "then run these benchmarks again.";

    private static (ShareNodeOptions?, string?) Probe()
    {
        if (!TestStack.TryGet("EHR_SHARE_NODES", out var countText)
            || !int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return (null, $"no test stack settings (EHR_SHARE_NODES) in the environment or in {Path.Combine(TestStack.StackDir, "stack.env")}");
        }

        var threshold = 3;
        if (TestStack.TryGet("ShareNodes__Threshold", out var k)
            && !int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out threshold))
        {
            return (null, $"ShareNodes__Threshold '{k}' is not a number");
        }

        var options = new ShareNodeOptions { Threshold = threshold };
        for (var i = 0; i < count; i++)
        {
            var name = TestStack.TryGet($"ShareNodes__Nodes__{i}__Name", out var n) ? n : $"node-{i + 1}";
            if (!TestStack.TryGet($"ShareNodes__Nodes__{i}__ConnectionString", out var connectionString))
            {
                return (null, $"ShareNodes__Nodes__{i}__ConnectionString is not set");
            }

            try
            {
                var quick = new MySqlConnectionStringBuilder(connectionString) { ConnectionTimeout = 3, Pooling = false };
                using var connection = new MySqlConnection(quick.ConnectionString);
                connection.Open();
                using var command = new MySqlCommand("SELECT COUNT(*) FROM shares WHERE 1 = 0", connection);
                command.ExecuteScalar();
            }
            catch (Exception e) when (e is MySqlException or InvalidOperationException or ArgumentException or SocketException or IOException)
            {
                return (null, $"{name} does not answer ({e.Message})");
            }

            options.Nodes.Add(new ShareNodeEndpoint { Name = name, ConnectionString = connectionString });
        }

        return (options, null);
    }
}

/// <summary>The benchmarks measure the vault, not the monitor's problem reports (the app writes those in the background).</summary>
internal sealed class DiscardedProblems : IShareProblemSink
{
    public void Report(ShareProblem problem)
    {
    }
}
