using System.Data;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MySqlConnector;

namespace EhrShare.Infrastructure.ShareNodes;

/// <summary>
/// One share node and the SQL it answers, each call bounded by the per-node timeout. Node i (0-based) holds the
/// share with x = i + 1. Record ids are stored as 16 bytes in RFC 4122 order, the order of the share header.
/// Failures come out as <see cref="ShareNodeException"/> naming the node; cancellation by the caller stays an
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class ShareNode
{
    private const string UpsertSql = """
        INSERT INTO shares (record_id, x, generation, share, written_at) VALUES (@id, @x, @generation, @share, UTC_TIMESTAMP(6))
        ON DUPLICATE KEY UPDATE share = VALUES(share), written_at = VALUES(written_at)
        """;

    private readonly string _connectionString;

    public ShareNode(int index, string name, string connectionString, TimeSpan timeout)
    {
        Index = index;
        Name = name;
        X = (byte)(index + 1);
        Timeout = timeout;
        TimeoutSeconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        // An abandoned connect (see RunAsync) then ends soon after the node timeout, not 15 s later; a second
        // later, so that the node timeout is what a caller sees.
        var builder = new MySqlConnectionStringBuilder(connectionString);
        builder.ConnectionTimeout = Math.Min(builder.ConnectionTimeout, (uint)TimeoutSeconds + 1);
        _connectionString = builder.ConnectionString;
    }

    public int Index { get; }

    public string Name { get; }

    /// <summary>The x coordinate of the shares this node holds.</summary>
    public byte X { get; }

    public TimeSpan Timeout { get; }

    private int TimeoutSeconds { get; }

    public static IReadOnlyList<ShareNode> FromOptions(ShareNodeOptions options) =>
        [.. options.Nodes.Select((node, i) => new ShareNode(i, node.DisplayName(i), node.ConnectionString, options.NodeTimeout))];

    public static byte[] IdBytes(Guid recordId) => recordId.ToByteArray(bigEndian: true);

    /// <summary>This node's shares of the record (the rows with this node's x), newest generation first; empty when it has none.</summary>
    public Task<List<StoredShare>> ReadAsync(Guid recordId, CancellationToken cancellationToken) =>
        RunAsync(
            "SELECT generation, share FROM shares WHERE record_id = @id AND x = @x ORDER BY generation DESC",
            p =>
            {
                p.Add("@id", MySqlDbType.Binary).Value = IdBytes(recordId);
                p.Add("@x", MySqlDbType.UByte).Value = X;
            },
            async (command, token) =>
            {
                var shares = new List<StoredShare>(1);
                await using var reader = await command.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    shares.Add(new StoredShare(reader.GetUInt32(0), (byte[])reader.GetValue(1)));
                }

                return shares;
            },
            cancellationToken);

    /// <summary>Writes (or overwrites) the share at (record id, x, generation).</summary>
    public Task WriteAsync(Guid recordId, uint generation, byte[] share, CancellationToken cancellationToken) =>
        RunAsync(
            UpsertSql,
            p =>
            {
                p.Add("@id", MySqlDbType.Binary).Value = IdBytes(recordId);
                p.Add("@x", MySqlDbType.UByte).Value = X;
                p.Add("@generation", MySqlDbType.UInt32).Value = generation;
                p.Add("@share", MySqlDbType.MediumBlob).Value = share;
            },
            (command, token) => command.ExecuteNonQueryAsync(token),
            cancellationToken);

    /// <summary>Deletes every share of the record on this node (whatever its x and generation); returns how many rows went.</summary>
    public Task<int> DeleteAsync(Guid recordId, CancellationToken cancellationToken) =>
        RunAsync(
            "DELETE FROM shares WHERE record_id = @id",
            p => p.Add("@id", MySqlDbType.Binary).Value = IdBytes(recordId),
            (command, token) => command.ExecuteNonQueryAsync(token),
            cancellationToken);

    /// <summary>
    /// Deletes this node's shares (its x) of the record whose generation is in [<paramref name="from"/>,
    /// <paramref name="to"/>]; returns how many rows went.
    /// </summary>
    public Task<int> DeleteGenerationsAsync(Guid recordId, uint from, uint to, CancellationToken cancellationToken) =>
        RunAsync(
            "DELETE FROM shares WHERE record_id = @id AND x = @x AND generation BETWEEN @from AND @to",
            p =>
            {
                p.Add("@id", MySqlDbType.Binary).Value = IdBytes(recordId);
                p.Add("@x", MySqlDbType.UByte).Value = X;
                p.Add("@from", MySqlDbType.UInt32).Value = from;
                p.Add("@to", MySqlDbType.UInt32).Value = to;
            },
            (command, token) => command.ExecuteNonQueryAsync(token),
            cancellationToken);

    /// <summary>This node's shares (its x, every generation) of the given records, in one query; records without one are absent.</summary>
    public Task<Dictionary<Guid, List<StoredShare>>> ReadManyAsync(IReadOnlyList<Guid> recordIds, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT record_id, generation, share FROM shares WHERE x = @x AND record_id IN (");
        for (var i = 0; i < recordIds.Count; i++)
        {
            sql.Append(i == 0 ? "@r" : ", @r").Append(i.ToString(CultureInfo.InvariantCulture));
        }

        sql.Append(") ORDER BY record_id, generation DESC");
        return RunAsync(
            sql.ToString(),
            p =>
            {
                p.Add("@x", MySqlDbType.UByte).Value = X;
                for (var i = 0; i < recordIds.Count; i++)
                {
                    p.Add("@r" + i.ToString(CultureInfo.InvariantCulture), MySqlDbType.Binary).Value = IdBytes(recordIds[i]);
                }
            },
            async (command, token) =>
            {
                var shares = new Dictionary<Guid, List<StoredShare>>(recordIds.Count);
                await using var reader = await command.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    var id = new Guid((byte[])reader.GetValue(0), bigEndian: true);
                    if (!shares.TryGetValue(id, out var list))
                    {
                        shares[id] = list = new List<StoredShare>(1);
                    }

                    list.Add(new StoredShare(reader.GetUInt32(1), (byte[])reader.GetValue(2)));
                }

                return shares;
            },
            cancellationToken);
    }

    /// <summary>
    /// One page of the keys on this node, in record id order, starting after <paramref name="after"/> (null: from
    /// the start). A record's rows are never split across pages.
    /// </summary>
    public Task<List<ShareKey>> ListKeysAsync(Guid? after, int limit, CancellationToken cancellationToken) =>
        RunAsync(
            after is null
                ? "SELECT record_id, x FROM shares ORDER BY record_id, x LIMIT @limit"
                : "SELECT record_id, x FROM shares WHERE record_id > @after ORDER BY record_id, x LIMIT @limit",
            p =>
            {
                p.Add("@limit", MySqlDbType.Int32).Value = limit;
                if (after is { } id)
                {
                    p.Add("@after", MySqlDbType.Binary).Value = IdBytes(id);
                }
            },
            async (command, token) =>
            {
                var keys = new List<ShareKey>(limit);
                await using var reader = await command.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    keys.Add(new ShareKey(new Guid((byte[])reader.GetValue(0), bigEndian: true), reader.GetByte(1)));
                }

                if (keys.Count == limit && keys[0].RecordId != keys[^1].RecordId)
                {
                    // The page may have cut the last record's rows short: leave that record to the next page.
                    var last = keys[^1].RecordId;
                    keys.RemoveAll(k => k.RecordId == last);
                }

                return keys;
            },
            cancellationToken);

    public override string ToString() => Name;

    private async Task<T> RunAsync<T>(
        string sql,
        Action<MySqlParameterCollection> bind,
        Func<MySqlCommand, CancellationToken, Task<T>> execute,
        CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        var work = ExecuteAsync(sql, bind, execute, limit.Token);
        try
        {
            // MySqlConnector does not give up on a server that accepted the connection and never answers until its
            // own connect timeout: the node timeout is enforced here, and the abandoned call is left to end.
            return await work.WaitAsync(limit.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && limit.IsCancellationRequested
                                  && e is OperationCanceledException or MySqlException or IOException or SocketException)
        {
            Abandon(work);
            throw new ShareNodeException(this, ShareNodeFailure.TimedOut,
                $"no answer within {Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s", e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
                                  && e is MySqlException or IOException or SocketException or InvalidOperationException)
        {
            var detail = e is MySqlException { ErrorCode: MySqlErrorCode.NoSuchTable }
                ? "reachable, but the shares table is missing (run the app's 'setup' command)"
                : $"unreachable ({e.Message})";
            throw new ShareNodeException(this, ShareNodeFailure.Unreachable, detail, e);
        }
        catch (OperationCanceledException)
        {
            Abandon(work);
            throw;
        }
    }

    private async Task<T> ExecuteAsync<T>(
        string sql,
        Action<MySqlParameterCollection> bind,
        Func<MySqlCommand, CancellationToken, Task<T>> execute,
        CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand(sql, connection)
        {
            // A backstop on the server side; the node timeout is what bounds the call.
            CommandTimeout = TimeoutSeconds,
        };
        bind(command.Parameters);
        return await execute(command, cancellationToken);
    }

    /// <summary>Observes a call that was given up on, and clears share bytes should it still return some.</summary>
    private static void Abandon<T>(Task<T> work) =>
        _ = work.ContinueWith(
            static t =>
            {
                if (!t.IsCompletedSuccessfully)
                {
                    _ = t.Exception;
                    return;
                }

                switch (t.Result)
                {
                    case List<StoredShare> shares:
                        StoredShare.Clear(shares);
                        break;
                    case Dictionary<Guid, List<StoredShare>> byRecord:
                        foreach (var shares in byRecord.Values)
                        {
                            StoredShare.Clear(shares);
                        }

                        break;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}

/// <summary>One row's share bytes and the generation they belong to (see docs/share-format.md).</summary>
internal readonly record struct StoredShare(uint Generation, byte[] Bytes)
{
    public static void Clear(IEnumerable<StoredShare> shares)
    {
        foreach (var share in shares)
        {
            CryptographicOperations.ZeroMemory(share.Bytes);
        }
    }
}

/// <summary>A row key on a share node.</summary>
internal readonly record struct ShareKey(Guid RecordId, byte X);

internal enum ShareNodeFailure
{
    /// <summary>Refused the connection or the statement.</summary>
    Unreachable,

    /// <summary>Did not answer within the per-node timeout.</summary>
    TimedOut,
}

/// <summary>A share node did not do what was asked; the message says why, without any share bytes.</summary>
internal sealed class ShareNodeException(ShareNode node, ShareNodeFailure failure, string message, Exception? inner)
    : Exception(message, inner)
{
    public ShareNode Node { get; } = node;

    public ShareNodeFailure Failure { get; } = failure;
}
