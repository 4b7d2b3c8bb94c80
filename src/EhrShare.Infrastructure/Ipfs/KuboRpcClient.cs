using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Ipfs;

/// <summary>
/// Client for the part of the Kubo RPC API (<c>/api/v0</c>) EhrShare uses; it works against Kubo and against the
/// project's IPFS dev node. One method per RPC command, named after it. Failures surface as
/// <see cref="IpfsException"/> (the node answered with an error) or <see cref="IpfsUnavailableException"/> (it
/// could not be reached, or did not answer in time); cancellation by the caller surfaces as
/// <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>
/// The HttpClient has no overall timeout (a 200 MiB record must not be cut off): small calls are limited by
/// <see cref="IpfsOptions.RequestTimeout"/>, streaming add and cat by <see cref="IpfsOptions.StreamIdleTimeout"/>
/// of no progress.
/// </remarks>
public sealed class KuboRpcClient
{
    private const int MaxSmallAnswerBytes = 4 * 1024 * 1024;
    private const int MaxErrorBodyBytes = 64 * 1024;
    private readonly HttpClient _http;
    private readonly IpfsOptions _options;

    public KuboRpcClient(HttpClient http, IOptions<IpfsOptions> options)
    {
        _http = http;
        _options = options.Value;
        _http.BaseAddress ??= _options.ApiBaseUri;
    }

    /// <summary>The node this client talks to, for messages.</summary>
    public string ApiUrl => _options.ApiUrl;

    /// <summary>
    /// <c>add</c>: uploads <paramref name="content"/> as one file, streamed (read once, never buffered whole), and
    /// returns its CID. With the default options the CID is Kubo's CIDv0 and the content is pinned.
    /// </summary>
    /// <param name="content">Read from its current position to its end; not disposed.</param>
    /// <param name="fileName">Name of the multipart file part. Nodes may log it: do not put personal data in it.</param>
    /// <param name="options">CID version and pinning; <see cref="IpfsAddOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<IpfsAddResult> AddAsync(Stream content, string fileName, IpfsAddOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        options ??= IpfsAddOptions.Default;
        const string command = "add";
        var query = string.Create(CultureInfo.InvariantCulture,
            $"?cid-version={options.CidVersion}&pin={(options.Pin ? "true" : "false")}&progress=false");

        using var watchdog = new IdleWatchdog(_options.StreamIdleTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        using var source = new ProgressReportingStream(content, watchdog);
        using var part = new StreamContent(source, 64 * 1024);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data")
        {
            // Quoted, and the file name URL-escaped as Kubo's own clients send it.
            Name = "\"file\"",
            FileName = "\"" + Uri.EscapeDataString(fileName) + "\"",
        };
        using var body = new MultipartFormDataContent { part };
        using var request = new HttpRequestMessage(HttpMethod.Post, command + query) { Content = body };
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            watchdog.Progress();
            await EnsureSuccessAsync(command, response, linked.Token);

            // One NDJSON event per file; the one naming a Hash is the result (progress events carry only Bytes).
            IpfsAddResult? result = null;
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(linked.Token) is { } line)
            {
                watchdog.Progress();
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                using var json = ParseJson(command, line);
                var root = json.RootElement;
                if (root.TryGetProperty("Hash", out _))
                {
                    result = new IpfsAddResult(
                        RequiredString(command, root, "Hash"), OptionalString(root, "Name") ?? "", Int64(root, "Size") ?? 0);
                }
                else if (OptionalString(root, "Type") == "error")
                {
                    throw KuboError(command, root, response.StatusCode);
                }
            }

            ThrowOnStreamError(command, response);
            return result ?? throw new IpfsException(command, "The IPFS node's answer to add names no CID.", statusCode: response.StatusCode);
        }
        catch (Exception e) when (source.Failure is { } readFailure && e is not IpfsException)
        {
            // Reading the content failed (e.g. the uploader went away): that is the caller's error, not the node's.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
            throw;
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            throw Unavailable(command, e, watchdog.Fired, _options.StreamIdleTimeout, nameof(IpfsOptions.StreamIdleTimeout));
        }
    }

    /// <summary>
    /// <c>cat</c>: opens the content of <paramref name="cid"/> as a stream read straight from the node's answer.
    /// The stream fails with <see cref="IpfsUnavailableException"/> if the node stops sending for
    /// <see cref="IpfsOptions.StreamIdleTimeout"/> or the connection breaks, and with <see cref="IpfsException"/>
    /// if the node reports an error after the first byte or ends the content early. Dispose it.
    /// </summary>
    public async Task<Stream> CatAsync(string cid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cid);
        const string command = "cat";
        var watchdog = new IdleWatchdog(_options.StreamIdleTimeout);
        HttpResponseMessage? response = null;
        var handedOver = false;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{command}?arg={Uri.EscapeDataString(cid)}&progress=false{OfflineFlag}");
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            await EnsureSuccessAsync(command, response, linked.Token);
            var content = await response.Content.ReadAsStreamAsync(linked.Token);
            watchdog.Pause();
            handedOver = true;
            return new CatStream(response, content, watchdog, this, cid);
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            throw Unavailable(command, e, watchdog.Fired, _options.StreamIdleTimeout, nameof(IpfsOptions.StreamIdleTimeout));
        }
        finally
        {
            if (!handedOver)
            {
                response?.Dispose();
                watchdog.Dispose();
            }
        }
    }

    /// <summary><c>pin/add</c>: pins <paramref name="cid"/> recursively (it must be on the node when offline).</summary>
    public async Task PinAddAsync(string cid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cid);
        using var _ = await CallAsync("pin/add", $"?arg={Uri.EscapeDataString(cid)}&recursive=true{OfflineFlag}", cancellationToken);
    }

    /// <summary>
    /// <c>pin/rm</c>: unpins <paramref name="cid"/> so that the node may collect its blocks. Unpinning a CID that is
    /// not pinned succeeds (returns false), so a rollback can be repeated; other errors are thrown.
    /// </summary>
    /// <returns>True if a pin was removed, false if the CID was not pinned.</returns>
    public async Task<bool> PinRmAsync(string cid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cid);
        try
        {
            using var _ = await CallAsync("pin/rm", $"?arg={Uri.EscapeDataString(cid)}&recursive=true", cancellationToken);
            return true;
        }
        catch (IpfsException e) when (e.StatusCode is not null && e.Message.StartsWith("not pinned", StringComparison.Ordinal))
        {
            // Kubo: "not pinned or pinned indirectly".
            return false;
        }
    }

    /// <summary><c>pin/ls?type=recursive</c>: the CIDs pinned recursively.</summary>
    public async Task<IReadOnlyList<string>> PinLsAsync(CancellationToken cancellationToken = default)
    {
        const string command = "pin/ls";
        using var json = await CallAsync(command, "?type=recursive", cancellationToken);
        var pins = new List<string>();
        if (json.RootElement.TryGetProperty("Keys", out var keys) && keys.ValueKind == JsonValueKind.Object)
        {
            foreach (var key in keys.EnumerateObject())
            {
                pins.Add(key.Name);
            }
        }

        return pins;
    }

    /// <summary><c>repo/gc</c>: deletes unpinned blocks and returns the CIDs of those removed.</summary>
    public async Task<IReadOnlyList<string>> RepoGcAsync(CancellationToken cancellationToken = default)
    {
        const string command = "repo/gc";
        var text = await CallForTextAsync(command, "", cancellationToken);
        var removed = new List<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = ParseJson(command, line);
            var root = json.RootElement;
            if (OptionalString(root, "Error") is { Length: > 0 } error)
            {
                throw new IpfsException(command, error);
            }

            if (root.TryGetProperty("Key", out var key) && key.ValueKind == JsonValueKind.Object && OptionalString(key, "/") is { } cid)
            {
                removed.Add(cid);
            }
        }

        return removed;
    }

    /// <summary><c>version</c>.</summary>
    public async Task<IpfsVersion> VersionAsync(CancellationToken cancellationToken = default)
    {
        const string command = "version";
        using var json = await CallAsync(command, "", cancellationToken);
        var root = json.RootElement;
        return new IpfsVersion(
            RequiredString(command, root, "Version"),
            OptionalString(root, "Commit"),
            OptionalString(root, "Repo"),
            OptionalString(root, "System"),
            OptionalString(root, "Golang"));
    }

    /// <summary><c>id</c>: the node's peer identity.</summary>
    public async Task<IpfsNodeId> IdAsync(CancellationToken cancellationToken = default)
    {
        const string command = "id";
        using var json = await CallAsync(command, "", cancellationToken);
        var root = json.RootElement;
        var addresses = new List<string>();
        if (root.TryGetProperty("Addresses", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            addresses.AddRange(list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
        }

        return new IpfsNodeId(RequiredString(command, root, "ID"), OptionalString(root, "PublicKey"), addresses, OptionalString(root, "AgentVersion"));
    }

    /// <summary><c>repo/stat</c>: size and object count of the node's repository.</summary>
    public async Task<IpfsRepoStat> RepoStatAsync(CancellationToken cancellationToken = default)
    {
        const string command = "repo/stat";
        using var json = await CallAsync(command, "", cancellationToken);
        var root = json.RootElement;
        // Kubo's JSON is flat (RepoSize, StorageMax beside NumObjects); its generated docs show them under SizeStat.
        var sizes = root.TryGetProperty("SizeStat", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        return new IpfsRepoStat(
            Int64(sizes, "RepoSize") ?? 0,
            Int64(sizes, "StorageMax") ?? 0,
            Int64(root, "NumObjects") ?? 0,
            OptionalString(root, "RepoPath"),
            OptionalString(root, "Version"));
    }

    private string OfflineFlag => _options.Offline ? "&offline=true" : "";

    private async Task<JsonDocument> CallAsync(string command, string query, CancellationToken cancellationToken) =>
        ParseJson(command, await CallForTextAsync(command, query, cancellationToken));

    private async Task<string> CallForTextAsync(string command, string query, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, command + query);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            await EnsureSuccessAsync(command, response, linked.Token);
            var text = await ReadLimitedAsync(command, response, MaxSmallAnswerBytes, linked.Token);
            ThrowOnStreamError(command, response);
            return text;
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            throw Unavailable(command, e, timeout.IsCancellationRequested, _options.RequestTimeout, nameof(IpfsOptions.RequestTimeout));
        }
    }

    private static async Task EnsureSuccessAsync(string command, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await ReadLimitedAsync(command, response, MaxErrorBodyBytes, cancellationToken);
        if (TryParseJson(text) is { } json)
        {
            using (json)
            {
                if (json.RootElement.ValueKind == JsonValueKind.Object && OptionalString(json.RootElement, "Message") is not null)
                {
                    throw KuboError(command, json.RootElement, response.StatusCode);
                }
            }
        }

        var hint = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
            ? " Is Ipfs:ApiUrl the node's RPC API (Kubo's port 5001), not a gateway?"
            : response.StatusCode == HttpStatusCode.Forbidden
                ? " The node refused the call (Kubo checks the Origin header and API.HTTPHeaders)."
                : "";
        var shown = text.Length > 300 ? text[..300] + "..." : text;
        throw new IpfsException(command,
            $"The IPFS node answered {(int)response.StatusCode} {response.ReasonPhrase} to {command}.{hint} {shown}".TrimEnd(),
            statusCode: response.StatusCode);
    }

    private static async Task<string> ReadLimitedAsync(string command, HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw new IpfsException(command, $"The IPFS node's answer to {command} is larger than {limit} bytes.", statusCode: response.StatusCode);
            }

            buffer.Write(chunk, 0, n);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Kubo reports an error that happens after it started answering in the X-Stream-Error trailer.</summary>
    internal static void ThrowOnStreamError(string command, HttpResponseMessage response)
    {
        if (response.TrailingHeaders.TryGetValues("X-Stream-Error", out var values)
            && string.Join("; ", values) is { Length: > 0 } error)
        {
            throw new IpfsException(command, error, statusCode: response.StatusCode);
        }
    }

    private static IpfsException KuboError(string command, JsonElement error, HttpStatusCode statusCode) =>
        new(command, OptionalString(error, "Message") ?? "(no message)", (int?)Int64(error, "Code"), statusCode);

    private static bool IsTransportFailure(Exception e, CancellationToken callerToken) =>
        e switch
        {
            IpfsException => false,
            OperationCanceledException => !callerToken.IsCancellationRequested,
            HttpRequestException or IOException => true,
            _ => false,
        };

    internal IpfsUnavailableException Unavailable(string command, Exception e, bool timedOut, TimeSpan limit, string setting)
    {
        if (!timedOut && e is OperationCanceledException { InnerException: TimeoutException })
        {
            return new IpfsUnavailableException(command, IpfsUnavailableReason.Unreachable,
                $"The IPFS node at {_options.ApiUrl} cannot be reached: no connection within Ipfs:ConnectTimeout ({_options.ConnectTimeout}).", e);
        }

        if (timedOut || e is OperationCanceledException)
        {
            return new IpfsUnavailableException(command, IpfsUnavailableReason.TimedOut,
                $"The IPFS node at {_options.ApiUrl} did not answer {command} in time (Ipfs:{setting} = {limit}).", e);
        }

        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
        {
            return new IpfsUnavailableException(command, IpfsUnavailableReason.Unreachable,
                $"The IPFS node at {_options.ApiUrl} cannot be reached ({e.Message}). Is it running, and is Ipfs:ApiUrl right?", e);
        }

        return new IpfsUnavailableException(command, IpfsUnavailableReason.ConnectionLost,
            $"The connection to the IPFS node at {_options.ApiUrl} broke during {command} ({e.Message}).", e);
    }

    private static JsonDocument ParseJson(string command, string text) =>
        TryParseJson(text) ?? throw new IpfsException(command,
            $"The IPFS node's answer to {command} is not JSON: {(text.Length > 200 ? text[..200] + "..." : text)}");

    private static JsonDocument? TryParseJson(string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string RequiredString(string command, JsonElement element, string name) =>
        OptionalString(element, name) ?? throw new IpfsException(command, $"The IPFS node's answer to {command} lacks '{name}'.");

    private static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Kubo writes some integers as JSON numbers and some (add's Size) as strings.</summary>
    private static long? Int64(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) => n,
            JsonValueKind.Number when value.TryGetDecimal(out var d) => (long)Math.Min(d, long.MaxValue),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) => s,
            _ => null,
        };
    }

    /// <summary>The content of a cat answer, with the idle limit, trailer and length checks applied to every read.</summary>
    private sealed class CatStream(HttpResponseMessage response, Stream content, IdleWatchdog watchdog, KuboRpcClient client, string cid) : ForwardReadStream
    {
        private const string Command = "cat";
        private readonly long? _announcedLength = response.Headers.TryGetValues("X-Content-Length", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                ? length
                : null;

        private long _received;
        private bool _ended;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_ended || buffer.IsEmpty)
            {
                return 0;
            }

            int n;
            // Only the time spent waiting on the node counts towards the idle limit, not the consumer's pace.
            watchdog.Progress();
            using (var linked = cancellationToken.CanBeCanceled
                       ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token)
                       : null)
            {
                try
                {
                    n = await content.ReadAsync(buffer, linked?.Token ?? watchdog.Token);
                }
                catch (Exception e) when (IsTransportFailure(e, cancellationToken))
                {
                    throw client.Unavailable(Command, e, watchdog.Fired, client._options.StreamIdleTimeout, nameof(IpfsOptions.StreamIdleTimeout));
                }
                finally
                {
                    watchdog.Pause();
                }
            }

            if (n > 0)
            {
                _received += n;
                return n;
            }

            _ended = true;
            ThrowOnStreamError(Command, response);
            if (_announcedLength is { } expected && expected != _received)
            {
                throw new IpfsException(Command,
                    $"The IPFS node ended the content of {cid} after {_received} of the {expected} bytes it announced.",
                    statusCode: response.StatusCode);
            }

            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                content.Dispose();
                response.Dispose();
                watchdog.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
