using System.Globalization;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using EhrShare.SystemBench.Net;
using EhrShare.SystemBench.Stages;
using EhrShare.Testing;
using MySqlConnector;

namespace EhrShare.SystemBench.Faults;

/// <summary>One fault of the sequence: what is done, for how long, and how it is undone.</summary>
public sealed record Fault(string Name, TimeSpan Hold, Func<Task> Inject, Func<Task> Recover);

/// <summary>One fault as it ran, on the load's clock.</summary>
public sealed record FaultWindow(string Name, TimeSpan Start, TimeSpan Injected, TimeSpan Recovered, TimeSpan End);

/// <summary>
/// <c>./ehr bench faults</c>: two instances of the real app (OS processes of their own, so one can be killed -9) on the
/// bench stack, each share node behind a <see cref="NodeSwitch"/>. 16 doctors read and 4 patients upload without pause,
/// spread over both instances (a client whose instance drops its connection turns to the other), while faults come one after another, each after a calm spell and followed by time to
/// recover: a share node stopped and restarted, a share corrupted, the IPFS node killed and restarted, the chain paused
/// (SIGSTOP/SIGCONT), the chain restarted, the instance that sends the access log killed with uploads in flight and
/// restarted. Then the load stops and <see cref="Consistency"/> checks what the faults left; <see cref="FaultReport"/>
/// writes the table. The exit code is non-zero when a check fails.
/// </summary>
public static class FaultBench
{
    public const int Doctors = 16;
    public const int Patients = 4;
    public const int Instances = 2;

    /// <summary>Short, so the reconciler finishes interrupted uploads within the bench (the app's default is 30 min).</summary>
    public static readonly TimeSpan UploadLease = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Calm = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(8);

    /// <summary>What the instance that takes the outbox lock logs (OutboxLeaderLock).</summary>
    private const string SendsTheAccessLog = "This instance sends the access log to the chain";

    public static async Task<int> RunAsync(string dir, Progress progress)
    {
        var stack = Stack.FromEnvironment();
        progress.Stage("faults: patients, doctors, grants and the first records (app in process)");
        var world = await FaultWorld.CreateAsync(Patients, Doctors, progress);

        var switches = stack.ShareNodes
            .Select((node, i) => new NodeSwitch($"node-{i + 1}", (int)new MySqlConnectionStringBuilder(node).Port))
            .ToList();
        var settings = new Dictionary<string, string>
        {
            ["Records__UploadLease"] = UploadLease.ToString("c", CultureInfo.InvariantCulture),
            ["Records__ReconcileInterval"] = ReconcileInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Outbox__PollInterval"] = "00:00:02",
        };
        for (var i = 0; i < switches.Count; i++)
        {
            settings[$"ShareNodes__Nodes__{i}__ConnectionString"] = Stack.WithPort(stack.ShareNodes[i], switches[i].Port);
        }

        var ports = Enumerable.Range(0, Instances).Select(_ => LocalPorts.Free()).ToArray();
        progress.Stage("faults: starting two app instances");
        var apps = await Task.WhenAll(ports.Select(port => EhrAppProcess.StartAsync(settings, port: port)));
        var traffic = new TrafficCounter("faults");
        var clients = new List<LoadClient>();
        try
        {
            for (var d = 0; d < Doctors; d++)
            {
                clients.Add(await SignedInAsync(d, RequestKind.Read, world.Doctors[d], "", apps, traffic));
            }

            for (var p = 0; p < Patients; p++)
            {
                clients.Add(await SignedInAsync(Doctors + p, RequestKind.Upload, world.Patients[p], world.Patients[p].Id, apps, traffic));
            }

            var load = new Load(clients, world.Records, Instances);
            var faults = Faults(stack, switches, world, apps, ports, settings, load, progress);
            var windows = new List<FaultWindow>();
            load.Start();
            progress.Stage("faults: load starting (until every client had a request served)");
            if (!await load.WarmAsync(TimeSpan.FromMinutes(3)))
            {
                throw new InvalidOperationException("Not every client of the load had a request served within 3 min: the app instances are not serving.");
            }

            progress.Stage("faults: load running, no fault yet");
            var baselineStart = load.Now;
            await WhileReportingAsync(load, progress, "no fault", Calm + Calm);
            var baselineEnd = load.Now;
            windows.Add(new FaultWindow("no fault (baseline)", baselineStart, baselineEnd, baselineEnd, baselineEnd));
            foreach (var fault in faults)
            {
                progress.Stage($"faults: {fault.Name}");
                var start = load.Now;
                await WhileReportingAsync(load, progress, "calm", Calm);
                var injected = load.Now;
                await fault.Inject();
                await WhileReportingAsync(load, progress, "held", fault.Hold);
                await fault.Recover();
                var recovered = load.Now;
                await WhileReportingAsync(load, progress, "recovering", Settle);
                windows.Add(new FaultWindow(fault.Name, start, injected, recovered, load.Now));
            }

            await load.StopAsync();
            progress.Stage("faults: checking what the faults left");
            var checks = await new Consistency(stack, world, clients, load, progress).RunAsync();
            var report = FaultReport.Write(dir, windows, load, checks);
            progress.Note($"fault bench report: {report}");
            return checks.All(c => c.Passed) ? 0 : 1;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }

            foreach (var node in switches)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static IReadOnlyList<Fault> Faults(
        Stack stack, List<NodeSwitch> switches, FaultWorld world, EhrAppProcess[] apps, int[] ports,
        Dictionary<string, string> settings, Load load, Progress progress)
    {
        var ipfs = new StackProcess(stack, "ipfs");
        var anvil = new StackProcess(stack, "anvil");
        var killed = 0;
        return
        [
            new Fault($"share node {switches[0].Name} stopped and restarted", TimeSpan.FromSeconds(10),
                () => switches[0].TurnOffAsync(),
                () =>
                {
                    switches[0].TurnOn();
                    return Task.CompletedTask;
                }),
            new Fault($"a share corrupted on {switches[1].Name}", TimeSpan.FromSeconds(8),
                () => world.CorruptShareAsync(stack.ShareNodes[1], x: 2),
                () => Task.CompletedTask),
            new Fault("IPFS node killed (-9) and restarted", TimeSpan.FromSeconds(8),
                () => ipfs.KillAsync(),
                () => ipfs.StartStackServicesAsync()),
            new Fault("chain paused (SIGSTOP, SIGCONT)", TimeSpan.FromSeconds(8),
                () => anvil.SignalAsync("STOP"),
                () => anvil.SignalAsync("CONT")),
            new Fault("chain stopped and restarted", TimeSpan.Zero,
                () => anvil.StopAsync(),
                () => anvil.StartStackServicesAsync()),
            new Fault("app instance sending the access log killed (-9) with uploads in flight, restarted", TimeSpan.Zero,
                async () =>
                {
                    var victim = Victim(apps);
                    // With at least one upload on its way in (the clients of this instance upload without pause).
                    var waitedFrom = load.Now;
                    while (load.UploadsInFlight(victim) == 0 && load.Now - waitedFrom < TimeSpan.FromSeconds(10))
                    {
                        await Task.Delay(5);
                    }

                    progress.Note($"killing instance {victim + 1} (port {ports[victim]}) with {load.UploadsInFlight(victim)} upload(s) in flight on it");
                    await apps[victim].KillAsync();
                    await apps[victim].DisposeAsync();
                    killed = victim;
                },
                async () => apps[killed] = await EhrAppProcess.StartAsync(settings, port: ports[killed])),
        ];
    }

    /// <summary>An instance that said it took the outbox lock (only one holds it at a time), else the first.</summary>
    private static int Victim(EhrAppProcess[] apps)
    {
        var holder = Array.FindIndex(apps, a => a.Output.All.Contains(SendsTheAccessLog, StringComparison.Ordinal));
        return holder < 0 ? 0 : holder;
    }

    /// <summary>The user signed in on every instance; at home on instance <c>number mod instances</c>.</summary>
    private static async Task<LoadClient> SignedInAsync(
        int number, RequestKind kind, FaultUser user, string patientId, EhrAppProcess[] apps, TrafficCounter traffic)
    {
        var sessions = new List<Browser>();
        foreach (var app in apps)
        {
            var browser = new Browser(app.BaseAddress, traffic);
            sessions.Add(browser);
            await browser.SignInAsync(user.Email, World.Password);
        }

        return new LoadClient(number, kind, patientId, sessions, number % apps.Length);
    }

    private static async Task WhileReportingAsync(Load load, Progress progress, string what, TimeSpan duration)
    {
        var until = load.Now + duration;
        while (load.Now < until)
        {
            var failed = load.Outcomes.Count(o => !o.Ok);
            progress.Report($"{what}: {load.Completed} requests, {failed} not 200");
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, Math.Max(1, (until - load.Now).TotalMilliseconds))));
        }
    }
}
