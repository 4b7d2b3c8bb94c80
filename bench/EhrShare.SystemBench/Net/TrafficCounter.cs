using System.Collections.Concurrent;
using System.Text;

namespace EhrShare.SystemBench.Net;

/// <summary>Bytes both ways and the requests seen on one path (the browser, the chain RPC, IPFS, a database).</summary>
public sealed class TrafficCounter(string name)
{
    private long _sent;
    private long _received;
    private long _requests;
    private long _connections;
    private readonly ConcurrentDictionary<string, long> _kinds = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public void AddSent(long bytes) => Interlocked.Add(ref _sent, bytes);

    public void AddReceived(long bytes) => Interlocked.Add(ref _received, bytes);

    public void AddConnection() => Interlocked.Increment(ref _connections);

    /// <summary>One request (an HTTP request line, a JSON-RPC call, a MySQL command); <paramref name="kind"/> names it.</summary>
    public void AddRequest(string kind)
    {
        Interlocked.Increment(ref _requests);
        _kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    public TrafficSnapshot Snapshot() => new(
        Name, Interlocked.Read(ref _sent), Interlocked.Read(ref _received), Interlocked.Read(ref _requests),
        Interlocked.Read(ref _connections), new Dictionary<string, long>(_kinds, StringComparer.Ordinal));
}

/// <summary>Counters at one moment. "Sent" is from the app (or browser) towards the service, "received" back.</summary>
public sealed record TrafficSnapshot(string Name, long Sent, long Received, long Requests, long Connections, IReadOnlyDictionary<string, long> Kinds)
{
    public long Total => Sent + Received;

    public TrafficSnapshot Minus(TrafficSnapshot before) => new(
        Name, Sent - before.Sent, Received - before.Received, Requests - before.Requests, Connections - before.Connections,
        Kinds.ToDictionary(k => k.Key, k => k.Value - before.Kinds.GetValueOrDefault(k.Key), StringComparer.Ordinal)
            .Where(k => k.Value != 0).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal));

    public string DescribeKinds() =>
        string.Join(", ", Kinds.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} ×{k.Value}"));
}

/// <summary>
/// Recognises requests in the client-to-server bytes of one connection. HTTP: request lines ("POST /api/v0/cat") and,
/// for JSON-RPC bodies, each <c>"method":"…"</c>. MySQL: each command packet (sequence id 0), named by its command byte.
/// </summary>
public abstract class RequestSniffer
{
    public abstract void Feed(ReadOnlySpan<byte> clientBytes, TrafficCounter counter);

    public static RequestSniffer For(Protocol protocol) => protocol switch
    {
        Protocol.Http => new HttpSniffer(),
        Protocol.MySql => new MySqlSniffer(),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    private sealed class HttpSniffer : RequestSniffer
    {
        private const string MethodKey = "\"method\":\"";
        private string _tail = "";

        public override void Feed(ReadOnlySpan<byte> clientBytes, TrafficCounter counter)
        {
            // Latin-1 keeps one char per byte; a match cut between two reads is found in the kept tail.
            var text = _tail + Encoding.Latin1.GetString(clientBytes);
            var consumed = 0;
            for (var i = 0; i < text.Length;)
            {
                var line = IndexOfRequestLine(text, i);
                var rpc = text.IndexOf(MethodKey, i, StringComparison.Ordinal);
                if (line < 0 && rpc < 0)
                {
                    break;
                }

                if (line >= 0 && (rpc < 0 || line < rpc))
                {
                    var end = text.IndexOf(" HTTP/1.1\r\n", line, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        break;
                    }

                    var target = text[(text.IndexOf(' ', line) + 1)..end];
                    var q = target.IndexOf('?', StringComparison.Ordinal);
                    var path = q < 0 ? target : target[..q];
                    if (path != "/")
                    {
                        counter.AddRequest(text[line..text.IndexOf(' ', line)] + " " + path);
                    }

                    i = consumed = end + 11;
                }
                else
                {
                    var start = rpc + MethodKey.Length;
                    var end = text.IndexOf('"', start);
                    if (end < 0)
                    {
                        break;
                    }

                    counter.AddRequest(text[start..end]);
                    i = consumed = end + 1;
                }
            }

            var keep = Math.Max(consumed, text.Length - 64);
            _tail = text[keep..];
        }

        private static int IndexOfRequestLine(string text, int from)
        {
            var best = -1;
            foreach (var verb in (ReadOnlySpan<string>)["GET /", "POST /", "PUT /", "DELETE /"])
            {
                var at = text.IndexOf(verb, from, StringComparison.Ordinal);
                if (at >= 0 && (best < 0 || at < best) && (at == 0 || text[at - 1] == '\n'))
                {
                    best = at;
                }
            }

            return best;
        }
    }

    private sealed class MySqlSniffer : RequestSniffer
    {
        private readonly byte[] _header = new byte[5];
        private int _headerFill;
        private long _payloadLeft;

        public override void Feed(ReadOnlySpan<byte> clientBytes, TrafficCounter counter)
        {
            while (clientBytes.Length > 0)
            {
                if (_payloadLeft > 0)
                {
                    var skip = (int)Math.Min(_payloadLeft, clientBytes.Length);
                    _payloadLeft -= skip;
                    clientBytes = clientBytes[skip..];
                    continue;
                }

                // A packet: 3-byte little-endian length, sequence id, then the payload (its first byte is the command).
                _header[_headerFill++] = clientBytes[0];
                clientBytes = clientBytes[1..];
                if (_headerFill < 5)
                {
                    continue;
                }

                _headerFill = 0;
                var length = _header[0] | (_header[1] << 8) | (_header[2] << 16);
                _payloadLeft = length - 1;
                if (_header[3] == 0 && length > 0)
                {
                    counter.AddRequest(_header[4] switch
                    {
                        0x01 => "COM_QUIT",
                        0x02 => "COM_INIT_DB",
                        0x03 => "COM_QUERY",
                        0x0e => "COM_PING",
                        0x16 => "COM_STMT_PREPARE",
                        0x17 => "COM_STMT_EXECUTE",
                        0x19 => "COM_STMT_CLOSE",
                        0x1f => "COM_RESET_CONNECTION",
                        var other => $"COM_0x{other:x2}",
                    });
                }
            }
        }
    }
}

public enum Protocol
{
    Http,
    MySql,
}
