using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using EhrShare.SystemBench.Hosting;

namespace EhrShare.SystemBench.Faults;

public enum RequestKind
{
    Read,
    Upload,
}

/// <summary>One request of the load: what, by which client, when (since the load started), and how it ended.</summary>
/// <param name="Kind">A read or an upload.</param>
/// <param name="Client">The client's number.</param>
/// <param name="Start">When it was sent, on the load's clock.</param>
/// <param name="End">When its answer was read to the end (or it failed).</param>
/// <param name="Result">The HTTP status (<c>200</c>, <c>503</c>, …), <c>connection</c> (refused or cut),
/// <c>timeout</c>, or <c>wrong bytes</c> (a 200 whose body is not the record's content).</param>
public sealed record Outcome(RequestKind Kind, int Client, TimeSpan Start, TimeSpan End, string Result)
{
    public bool Ok => Result == "200";
}

/// <summary>A record whose content the bench knows: uploaded before the load, or by the load with a 200.</summary>
public sealed record KnownRecord(string PatientId, string Title, long Size, byte[] Sha256)
{
    /// <summary>Set once known (the records uploaded before the load); the load's own are found by title afterwards.</summary>
    public Guid? Id { get; init; }
}

/// <summary>
/// A client of the load: one user signed in on every app instance (a browser session each), talking to its home
/// instance; when a connection to it fails, it turns to the next instance, as a load balancer that checks its
/// backends would send it there.
/// </summary>
public sealed class LoadClient(int number, RequestKind kind, string patientId, IReadOnlyList<Browser> sessions, int home) : IDisposable
{
    private int _instance = home;

    public int Number => number;

    public RequestKind Kind => kind;

    /// <summary>The patient's user id for an uploading client; empty for a doctor.</summary>
    public string PatientId => patientId;

    /// <summary>The instance it talks to now.</summary>
    public int Instance => Volatile.Read(ref _instance);

    public Browser Browser => sessions[Instance];

    /// <summary>Turns to the next instance after a failed connection.</summary>
    public void FailOver() => Volatile.Write(ref _instance, (Instance + 1) % sessions.Count);

    public void Dispose()
    {
        foreach (var session in sessions)
        {
            session.Dispose();
        }
    }
}

/// <summary>
/// Closed-loop clients until stopped: doctors each read a record of the patients who granted them (at random) and check
/// its bytes; patients each upload a new record (4–64 KiB, a PDF signature then random bytes) under a unique title. A
/// failed request is followed by a short pause (as a person or app retrying would), so a fault is not a busy loop, and
/// a failed connection sends the client to the other instance.
/// Every request's outcome is kept, with its time, for the per-fault report.
/// </summary>
public sealed class Load
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(200);
    private readonly IReadOnlyList<LoadClient> _clients;
    private readonly IReadOnlyList<KnownRecord> _readable;
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly ConcurrentQueue<KnownRecord> _uploaded = new();
    private readonly int[] _uploadsInFlight;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private int _sequence;

    public Load(IReadOnlyList<LoadClient> clients, IReadOnlyList<KnownRecord> readable, int instances)
    {
        _clients = clients;
        _readable = readable;
        _uploadsInFlight = new int[instances];
    }

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<Outcome> Outcomes => _outcomes;

    /// <summary>The records the load uploaded and got a 200 for.</summary>
    public IReadOnlyCollection<KnownRecord> Uploaded => _uploaded;

    public int UploadsInFlight(int instance) => Volatile.Read(ref _uploadsInFlight[instance]);

    public int Completed => _outcomes.Count;

    public void Start()
    {
        foreach (var client in _clients)
        {
            _running.Add(Task.Run(() => client.Kind == RequestKind.Read ? ReadLoopAsync(client) : UploadLoopAsync(client)));
        }
    }

    /// <summary>Stops the clients after the requests in progress.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
    }

    private async Task ReadLoopAsync(LoadClient client)
    {
        var random = new Random(client.Number);
        while (!_stop.IsCancellationRequested)
        {
            var record = _readable[random.Next(_readable.Count)];
            var start = Now;
            var result = await AttemptAsync(async cancel =>
            {
                var (status, length, sha256) = await client.Browser.GetHashedAsync($"/Doctor/Records/{record.Id}/Download", cancel);
                return status != HttpStatusCode.OK ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : length == record.Size && sha256 is not null && sha256.AsSpan().SequenceEqual(record.Sha256) ? "200"
                    : "wrong bytes";
            });
            await RecordAsync(client, start, result);
        }
    }

    private async Task UploadLoopAsync(LoadClient client)
    {
        var random = new Random(1000 + client.Number);
        var content = new byte[64 * 1024];
        while (!_stop.IsCancellationRequested)
        {
            var size = random.Next(4 * 1024, content.Length + 1);
            RandomNumberGenerator.Fill(content.AsSpan(0, size));
            GeneratedContent.PdfSignature.CopyTo(content);
            var title = $"fault bench upload {Interlocked.Increment(ref _sequence)} by client {client.Number}";
            var start = Now;
            var instance = client.Instance;
            Interlocked.Increment(ref _uploadsInFlight[instance]);
            string result;
            try
            {
                result = await AttemptAsync(async cancel =>
                {
                    var file = new ByteArrayContent(content, 0, size);
                    file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                    var (status, _) = await client.Browser.TryUploadAsync(title, file, cancel);
                    return ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
                });
            }
            finally
            {
                Interlocked.Decrement(ref _uploadsInFlight[instance]);
            }

            if (result == "200")
            {
                _uploaded.Enqueue(new KnownRecord(client.PatientId, title, size, SHA256.HashData(content.AsSpan(0, size))));
            }

            await RecordAsync(client, start, result);
        }
    }

    /// <summary>Returns once every client has had a request answered 200 (the app instances are warm), or the limit passed.</summary>
    public async Task<bool> WarmAsync(TimeSpan limit)
    {
        var until = Now + limit;
        while (Now < until)
        {
            var served = _outcomes.Where(o => o.Ok).Select(o => o.Client).ToHashSet();
            if (_clients.All(c => served.Contains(c.Number)))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private async Task RecordAsync(LoadClient client, TimeSpan start, string result)
    {
        var outcome = new Outcome(client.Kind, client.Number, start, Now, result);
        _outcomes.Enqueue(outcome);
        if (result == "connection")
        {
            client.FailOver();
        }
        if (!outcome.Ok && !_stop.IsCancellationRequested)
        {
            await Task.Delay(PauseAfterFailure, CancellationToken.None);
        }
    }

    /// <summary>Runs one request with the bench's timeout; a dropped or refused connection is a result, not a failure of the bench.</summary>
    private static async Task<string> AttemptAsync(Func<CancellationToken, Task<string>> request)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            return await request(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException e) when (e.StatusCode is { } status)
        {
            // The page that gives the form's token answered with an error.
            return ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "connection";
        }
    }
}
