using System.Net;
using System.Security.Cryptography;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using EhrShare.SystemBench.Net;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// Bytes per operation on every path: a second instance of the app whose chain RPC, IPFS API, five share nodes and app
/// database are reached through counting TCP proxies (<see cref="CountingProxy"/>), and whose browsers count their own
/// connections. Each operation is done once to warm the connection pools, then five times; each time the counters are
/// read before it and after it, once the access-log outbox has drained (so the audit transaction a read causes is
/// counted with that read). The figure is the median of the five.
/// </summary>
public sealed class Network(Stack stack, Outbox outbox, Results results, Progress progress)
{
    public const string Section = "network";
    private const int Repetitions = 5;

    public async Task RunAsync(WorldState world, int port)
    {
        var browsers = new TrafficCounter("browser");
        await using var chain = new CountingProxy("chain", stack.ChainPort, Protocol.Http);
        await using var ipfs = new CountingProxy("ipfs", stack.IpfsPort, Protocol.Http);
        await using var appDb = new CountingProxy("app-db", stack.DbPort, Protocol.MySql);
        var nodes = new List<CountingProxy>();
        for (var i = 0; i < stack.ShareNodes.Count; i++)
        {
            nodes.Add(new CountingProxy($"node-{i + 1}", stack.DbPort, Protocol.MySql));
        }

        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Chain:RpcUrl"] = $"http://127.0.0.1:{chain.Port}",
                ["Ipfs:ApiUrl"] = $"http://127.0.0.1:{ipfs.Port}",
                ["Database:ConnectionString"] = Stack.WithPort(stack.AppDb, appDb.Port),
            };
            for (var i = 0; i < nodes.Count; i++)
            {
                settings[$"ShareNodes:Nodes:{i}:ConnectionString"] = Stack.WithPort(stack.ShareNodes[i], nodes[i].Port);
            }

            await using var app = BenchApp.Start(port, settings);
            var patient = new Browser(app.BaseAddress, browsers);
            var doctor = new Browser(app.BaseAddress, browsers);
            var outsider = new Browser(app.BaseAddress, browsers);
            await patient.SignInAsync(world.Patient.Email, World.Password);
            await doctor.SignInAsync(world.Doctors[0].Email, World.Password);
            await outsider.SignInAsync(world.Outsider.Email, World.Password);
            progress.Report("creating the doctors who will ask for access");
            var askers = await World.ManyAsync(Repetitions + 1, 2, () => World.DoctorAsync(app));
            var askerBrowsers = new List<Browser>();
            foreach (var asker in askers)
            {
                var b = new Browser(app.BaseAddress, browsers);
                await b.SignInAsync(asker.Email, World.Password);
                askerBrowsers.Add(b);
            }

            var content = RandomNumberGenerator.GetBytes(Sizes.OneMiB);
            var buffer = new byte[256 * 1024];
            var counters = new List<TrafficCounter> { browsers, chain.Counter, ipfs.Counter, appDb.Counter };
            counters.AddRange(nodes.Select(n => n.Counter));
            var big = $"/Doctor/Records/{world.Record1MiB}/Download";

            await OperationAsync("upload 1 MiB", counters, _ => Task.CompletedTask, async _ =>
            {
                RandomNumberGenerator.Fill(content.AsSpan(0, 64));
                await patient.UploadAsync("bench network upload", content, content.Length);
            });
            await OperationAsync("read 1 MiB", counters, _ => Task.CompletedTask, async _ =>
            {
                var (status, length) = await doctor.GetAsync(big, buffer);
                Check(status == HttpStatusCode.OK && length == Sizes.OneMiB, "read", status);
            });
            await OperationAsync("unauthorised attempt", counters, _ => Task.CompletedTask, async _ =>
            {
                var (status, _) = await outsider.GetAsync(big, buffer);
                Check(status == HttpStatusCode.Forbidden, "unauthorised attempt", status);
            });
            await OperationAsync("access request", counters, i => askerBrowsers[i].LoadPageAsync("/Doctor"), i =>
                askerBrowsers[i].PostFormAsync("/Doctor/RequestAccess", new Dictionary<string, string> { ["Request.PatientAddress"] = world.Patient.Address! }));
            await OperationAsync("grant", counters, _ => patient.LoadPageAsync("/Patient/Access"), i =>
                patient.PostFormAsync("/Patient/Grant", new Dictionary<string, string> { ["DoctorId"] = askers[i].Id, ["Days"] = "30" }));

            foreach (var b in askerBrowsers.Append(patient).Append(doctor).Append(outsider))
            {
                b.Dispose();
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static void Check(bool ok, string what, HttpStatusCode status)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Network stage: {what} answered HTTP {(int)status}.");
        }
    }

    /// <summary>Index 0 is the warm-up; 1..5 are counted.</summary>
    private async Task OperationAsync(string name, IReadOnlyList<TrafficCounter> counters, Func<int, Task> prepare, Func<int, Task> operation)
    {
        var deltas = new List<Dictionary<string, TrafficSnapshot>>();
        for (var i = 0; i <= Repetitions; i++)
        {
            await prepare(i);
            await outbox.DrainAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(100);
            var before = counters.ToDictionary(c => c.Name, c => c.Snapshot());
            await operation(i);
            await outbox.DrainAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(100);
            if (i > 0)
            {
                deltas.Add(counters.ToDictionary(c => c.Name, c => c.Snapshot().Minus(before[c.Name])));
            }

            progress.Report($"{name} {i}/{Repetitions}");
        }

        void Write(string path, Func<Dictionary<string, TrafficSnapshot>, TrafficSnapshot> pick)
        {
            results.Add(Section, name, path + ":sent", LatencyStats.Median(deltas.Select(d => (double)pick(d).Sent)), "B");
            results.Add(Section, name, path + ":received", LatencyStats.Median(deltas.Select(d => (double)pick(d).Received)), "B");
            results.Add(Section, name, path + ":requests", LatencyStats.Median(deltas.Select(d => (double)pick(d).Requests)), "");
            var typical = deltas.OrderBy(d => pick(d).Total).ElementAt(deltas.Count / 2);
            results.Add(Section, name, path + ":kinds", pick(typical).DescribeKinds());
        }

        Write("browser", d => d["browser"]);
        Write("chain", d => d["chain"]);
        Write("ipfs", d => d["ipfs"]);
        Write("shares", d => Sum("shares", d.Where(p => p.Key.StartsWith("node-", StringComparison.Ordinal)).Select(p => p.Value)));
        Write("app-db", d => d["app-db"]);
    }

    private static TrafficSnapshot Sum(string name, IEnumerable<TrafficSnapshot> parts)
    {
        var list = parts.ToList();
        var kinds = list.SelectMany(p => p.Kinds).GroupBy(k => k.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(k => k.Value), StringComparer.Ordinal);
        return new TrafficSnapshot(name, list.Sum(p => p.Sent), list.Sum(p => p.Received), list.Sum(p => p.Requests), list.Sum(p => p.Connections), kinds);
    }
}
