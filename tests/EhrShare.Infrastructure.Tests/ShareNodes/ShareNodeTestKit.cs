using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>
/// Share-node plumbing for the tests: options over the test stack's nodes (with single nodes pointed elsewhere),
/// vaults, and direct SQL on a node, the way an operator or an attacker would touch it.
/// </summary>
internal static class ShareNodeTestKit
{
    public static ShareNodeOptions StackOptions(
        int threshold = 3,
        string field = "Gf256",
        IReadOnlyDictionary<int, string>? replace = null,
        TimeSpan? nodeTimeout = null,
        int? nodeCount = null) =>
        Options(Enumerable.Range(0, nodeCount ?? TestStack.ShareNodeCount)
            .Select(i => replace?.GetValueOrDefault(i) ?? TestStack.ShareNodeConnectionString(i))
            .ToList(), threshold, field, nodeTimeout);

    public static ShareNodeOptions Options(IReadOnlyList<string> connectionStrings, int threshold = 3, string field = "Gf256", TimeSpan? nodeTimeout = null) => new()
    {
        Nodes = [.. connectionStrings.Select((c, i) => new ShareNodeEndpoint { Name = $"node-{i + 1}", ConnectionString = c })],
        Threshold = threshold,
        Field = field,
        NodeTimeout = nodeTimeout ?? TimeSpan.FromSeconds(3),
    };

    /// <summary>A vault whose problem reports stay in the test (the app's go to its database: <see cref="ShareNodeReports"/>).</summary>
    public static (ShareVault Vault, RecordedShareProblems Reports) Vault(ShareNodeOptions options)
    {
        var reports = new RecordedShareProblems(options);
        return (new ShareVault(Microsoft.Extensions.Options.Options.Create(options), reports, NullLogger<ShareVault>.Instance), reports);
    }

    public static ShareRefresh Refresh(ShareVault vault) => new(vault, NullLogger<ShareRefresh>.Instance);

    /// <summary>A connection string to a loopback port nothing listens on: the node is down.</summary>
    public static string ClosedPort(int node = 0) =>
        new MySqlConnectionStringBuilder(TestStack.ShareNodeConnectionString(node)) { Port = (uint)LocalPorts.Free() }.ConnectionString;

    public static byte[] RandomBlock(int size) => RandomNumberGenerator.GetBytes(size);

    public static byte[] Hash(byte[] block) => SHA256.HashData(block);

    public static async Task<int> ExecuteAsync(string connectionString, string sql, Guid? recordId = null, byte[]? share = null)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        if (recordId is { } id)
        {
            command.Parameters.AddWithValue("@id", id.ToByteArray(bigEndian: true));
        }

        if (share is not null)
        {
            command.Parameters.AddWithValue("@share", share);
        }

        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<byte[]?> ReadStoredAsync(string connectionString, Guid recordId)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT share FROM shares WHERE record_id = @id", connection);
        command.Parameters.AddWithValue("@id", recordId.ToByteArray(bigEndian: true));
        return await command.ExecuteScalarAsync() as byte[];
    }

    public static async Task<long> CountAsync(string connectionString, Guid recordId)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT COUNT(*) FROM shares WHERE record_id = @id", connection);
        command.Parameters.AddWithValue("@id", recordId.ToByteArray(bigEndian: true));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a share row of the given generation by hand (x from the share).</summary>
    public static async Task InsertShareAsync(string connectionString, Guid recordId, uint generation, byte[] share)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(
            "INSERT INTO shares (record_id, x, generation, share, written_at) VALUES (@id, @x, @generation, @share, UTC_TIMESTAMP(6))", connection);
        command.Parameters.AddWithValue("@id", recordId.ToByteArray(bigEndian: true));
        command.Parameters.AddWithValue("@x", share[6]);
        command.Parameters.AddWithValue("@generation", generation);
        command.Parameters.AddWithValue("@share", share);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The generations of the record's rows on a node, oldest first.</summary>
    public static async Task<List<uint>> GenerationsAsync(string connectionString, Guid recordId)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT generation FROM shares WHERE record_id = @id ORDER BY generation", connection);
        command.Parameters.AddWithValue("@id", recordId.ToByteArray(bigEndian: true));
        var generations = new List<uint>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            generations.Add(reader.GetUInt32(0));
        }

        return generations;
    }

    /// <summary>Flips one payload byte in place with SQL: bit rot the checksum catches.</summary>
    public static Task<int> FlipPayloadByteAsync(string connectionString, Guid recordId) =>
        ExecuteAsync(connectionString,
            "UPDATE shares SET share = INSERT(share, 33, 1, CHAR(ASCII(SUBSTRING(share, 33, 1)) ^ 0x5A)) WHERE record_id = @id",
            recordId);

    public static Task<int> DeleteShareAsync(string connectionString, Guid recordId) =>
        ExecuteAsync(connectionString, "DELETE FROM shares WHERE record_id = @id", recordId);

    /// <summary>Overwrites the stored share (a well-formed one with a valid checksum: tampering, not bit rot).</summary>
    public static Task<int> OverwriteShareAsync(string connectionString, Guid recordId, byte[] share) =>
        ExecuteAsync(connectionString, "UPDATE shares SET share = @share WHERE record_id = @id", recordId, share);

    public static IOptions<T> Wrap<T>(T value)
        where T : class => Microsoft.Extensions.Options.Options.Create(value);
}

/// <summary>The problems a vault reported, counted per node as the monitor counts them.</summary>
internal sealed class RecordedShareProblems(ShareNodeOptions options) : IShareProblemSink
{
    private readonly List<ShareProblem> _problems = [];

    public void Report(ShareProblem problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }

    /// <summary>Every configured node (also those without problems).</summary>
    public IReadOnlyList<ShareNodeProblemSummary> Snapshot()
    {
        lock (_problems)
        {
            return [.. options.Nodes.Select((node, i) => node.DisplayName(i)).Select(name =>
            {
                var mine = _problems.Where(p => string.Equals(p.Node, name, StringComparison.OrdinalIgnoreCase)).ToList();
                return new ShareNodeProblemSummary(
                    name,
                    mine.GroupBy(p => p.Kind).ToDictionary(g => g.Key, g => (long)g.Count()),
                    null,
                    mine.LastOrDefault());
            })];
        }
    }

    public ShareNodeProblemSummary For(string node) => Snapshot().Single(s => string.Equals(s.Node, node, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A TCP listener that accepts connections and never says a word: a hung server.</summary>
internal sealed class SilentListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SilentListener()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string ConnectionString(int node = 0) =>
        new MySqlConnectionStringBuilder(TestStack.ShareNodeConnectionString(node)) { Port = (uint)Port }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_clients)
            {
                _clients.Add(client);
            }
        }
    }
}
