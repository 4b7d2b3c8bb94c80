using System.Collections.Concurrent;
using System.Diagnostics;

namespace EhrShare.SystemBench.Measuring;

/// <summary>
/// Where the server's time goes within each request: ASP.NET Core's request activity, and inside its trace the
/// MySqlConnector command activities (app database or share node, by database name) and HttpClient's outgoing requests
/// (chain RPC or IPFS, by port). Background work (the outbox sending the audit transaction) runs in traces of its own
/// and is not counted here. Per request: the server time, calls and summed time per dependency, and the time covered by
/// no dependency call at all (the app's own work and waiting for a thread).
/// </summary>
public sealed class RequestSpans : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<ActivityTraceId, Request> _open = new();
    private ConcurrentQueue<Request> _done = new();
    private readonly int _chainPort;
    private readonly int _ipfsPort;

    public static readonly string[] Dependencies = ["app db", "share nodes", "chain rpc", "ipfs"];

    public RequestSpans(int chainPort, int ipfsPort)
    {
        _chainPort = chainPort;
        _ipfsPort = ipfsPort;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Microsoft.AspNetCore" or "MySqlConnector" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a =>
            {
                if (a.Source.Name == "Microsoft.AspNetCore" && a.Kind == ActivityKind.Server)
                {
                    _open[a.TraceId] = new Request();
                }
            },
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Reset()
    {
        _open.Clear();
        _done = new ConcurrentQueue<Request>();
    }

    /// <summary>Medians over the requests finished since <see cref="Reset"/>, written under (section, case).</summary>
    public void Record(Results results, string section, string @case)
    {
        var done = Interlocked.Exchange(ref _done, new ConcurrentQueue<Request>()).ToList();
        if (done.Count == 0)
        {
            return;
        }

        results.Add(section, @case, "span:server:ms", LatencyStats.Median(done.Select(r => r.TotalMs)), "ms");
        results.Add(section, @case, "span:own:ms", LatencyStats.Median(done.Select(r => r.OwnMs)), "ms");
        foreach (var dependency in Dependencies)
        {
            results.Add(section, @case, $"span:{dependency}:calls", LatencyStats.Median(done.Select(r => (double)r.Calls(dependency))), "");
            results.Add(section, @case, $"span:{dependency}:ms", LatencyStats.Median(done.Select(r => r.Ms(dependency))), "ms");
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Stopped(Activity a)
    {
        if (!_open.TryGetValue(a.TraceId, out var request))
        {
            return;
        }

        if (a.Source.Name == "Microsoft.AspNetCore" && a.Kind == ActivityKind.Server)
        {
            if (_open.TryRemove(a.TraceId, out _))
            {
                request.Finish(a.Duration);
                _done.Enqueue(request);
            }

            return;
        }

        var dependency = a.Source.Name == "MySqlConnector"
            ? ((a.GetTagItem("db.namespace") ?? a.GetTagItem("db.name")) as string)?.StartsWith("ehr_node", StringComparison.Ordinal) == true ? "share nodes" : "app db"
            : Port(a) == _chainPort ? "chain rpc" : Port(a) == _ipfsPort ? "ipfs" : null;
        if (dependency is not null)
        {
            request.Add(dependency, a.StartTimeUtc, a.Duration);
        }
    }

    private static int? Port(Activity a) => a.GetTagItem("server.port") switch
    {
        int p => p,
        long p => (int)p,
        string s when int.TryParse(s, out var p) => p,
        _ => (a.GetTagItem("url.full") as string) is { } url && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Port : null,
    };

    private sealed class Request
    {
        private readonly List<(string Dependency, DateTime Start, TimeSpan Duration)> _calls = [];

        public double TotalMs { get; private set; }

        public double OwnMs { get; private set; }

        public void Add(string dependency, DateTime start, TimeSpan duration)
        {
            lock (_calls)
            {
                _calls.Add((dependency, start, duration));
            }
        }

        public int Calls(string dependency)
        {
            lock (_calls)
            {
                return _calls.Count(c => c.Dependency == dependency);
            }
        }

        public double Ms(string dependency)
        {
            lock (_calls)
            {
                return _calls.Where(c => c.Dependency == dependency).Sum(c => c.Duration.TotalMilliseconds);
            }
        }

        public void Finish(TimeSpan duration)
        {
            TotalMs = duration.TotalMilliseconds;
            lock (_calls)
            {
                // The time covered by at least one dependency call (calls may overlap: the union counts once).
                double covered = 0;
                DateTime? from = null, to = null;
                foreach (var (_, s, d) in _calls.OrderBy(c => c.Start))
                {
                    var e = s + d;
                    if (to is null || s > to)
                    {
                        if (to is not null)
                        {
                            covered += (to.Value - from!.Value).TotalMilliseconds;
                        }

                        (from, to) = (s, e);
                    }
                    else if (e > to)
                    {
                        to = e;
                    }
                }

                if (to is not null)
                {
                    covered += (to.Value - from!.Value).TotalMilliseconds;
                }

                OwnMs = Math.Max(0, TotalMs - covered);
            }
        }
    }
}
