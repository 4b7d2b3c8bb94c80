using System.Diagnostics;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;

namespace EhrShare.SystemBench.Stages;

/// <summary>The stages in order, for one phase.</summary>
public static class Runner
{
    public static async Task RunAsync(string phase, string dir, int port, Progress progress)
    {
        var stack = Stack.FromEnvironment();
        var results = new Results(dir);
        using var operations = new AppOperations();
        using var spans = new RequestSpans(stack.ChainPort, stack.IpfsPort);
        var outbox = new Outbox(stack.AppDb);
        var watch = Stopwatch.StartNew();
        switch (phase)
        {
            case "main":
                await MainAsync(stack, results, operations, spans, outbox, dir, port, progress);
                break;
            case "blocktime":
                await BlockTimeAsync(stack, results, operations, spans, outbox, dir, port, progress);
                break;
            case "readers":
                await ReadersOnlyAsync(results, operations, outbox, dir, port, progress);
                break;
            case "chain":
                await ChainLengthAsync(stack, results, port, progress);
                break;
            case "fhir":
                progress.Stage("starting the app on Kestrel (automine chain)");
                await using (var app = BenchApp.Start(port))
                {
                    await new FhirApi(app, outbox, results, progress).RunAsync();
                }

                break;
            default:
                throw new ArgumentException($"Unknown phase '{phase}' (main, blocktime, readers, chain or fhir).");
        }

        results.Add("run", phase, "seconds", watch.Elapsed.TotalSeconds, "s");
    }

    private static async Task MainAsync(Stack stack, Results results, AppOperations operations, RequestSpans spans, Outbox outbox, string dir, int port, Progress progress)
    {
        progress.Stage("starting the app on Kestrel (automine chain)");
        WorldState world;
        {
            await using var app = BenchApp.Start(port, Memory.Settings);
            await Machine.RecordAsync(app, stack, results);
            results.Add("access automine", "", "block_time", "automine");

            progress.Stage("creating patients and doctors through the use cases");
            world = await PopulateAsync(app, dir, progress);

            progress.Stage("primitives");
            await new Primitives(app, stack, results, progress).RunAsync(world);

            var latency = new Latency(outbox, operations, spans, results, progress);
            using var patient = await SignedInAsync(app, world.Patient);
            await using (var baselines = await Baselines.PrepareAsync(app, stack, world))
            {
                progress.Stage("upload latency by size (primitives interleaved)");
                await latency.UploadsAsync(patient, baselines);

                progress.Stage("access control at automine (primitives interleaved)");
                using var doctor = await SignedInAsync(app, world.Doctors[0]);
                using var outsider = await SignedInAsync(app, world.Outsider);
                await latency.AccessAsync("automine", world, doctor, outsider, baselines);
                progress.Stage("authorised read of 50 MiB");
                await latency.LargeReadAsync(world, doctor, baselines);
            }

            await new FhirApi(app, outbox, results, progress).RunAsync();

            progress.Stage("concurrency sweep");
            var doctors = await SignInAllAsync(app, world.Doctors, progress);
            var uploaders = await SignInAllAsync(app, world.Uploaders, progress);
            var concurrency = new Concurrency(outbox, operations, results, progress);
            await concurrency.ReadersAsync(world, doctors);
            await concurrency.UploadersAsync(uploaders);
            foreach (var b in doctors.Concat(uploaders))
            {
                b.Dispose();
            }

            progress.Stage("storage per record");
            await new Storage(app, stack, results, progress).RunAsync(world);

            progress.Stage("peak memory while uploading and reading 200 MiB");
            using var reader = await SignedInAsync(app, world.Doctors[0]);
            await new Memory(outbox, results, progress).RunAsync(app, world, patient, reader);
        }

        progress.Stage("network overhead (a second app instance behind counting proxies)");
        await new Network(stack, outbox, results, progress).RunAsync(world, port);
    }

    /// <summary>
    /// The doctors' concurrency sweep alone (<c>./ehr bench --readers</c>): a shorter run for work on the read path and
    /// its audit, with the same world and the same sweep as the full run's.
    /// </summary>
    private static async Task ReadersOnlyAsync(Results results, AppOperations operations, Outbox outbox, string dir, int port, Progress progress)
    {
        progress.Stage("starting the app on Kestrel (automine chain)");
        await using var app = BenchApp.Start(port, Memory.Settings);
        progress.Stage("creating patients and doctors through the use cases");
        var world = await PopulateAsync(app, dir, progress);
        progress.Stage("concurrency sweep (doctors reading)");
        var doctors = await SignInAllAsync(app, world.Doctors, progress);
        await new Concurrency(outbox, operations, results, progress).ReadersAsync(world, doctors);
        foreach (var b in doctors)
        {
            b.Dispose();
        }
    }

    private static async Task BlockTimeAsync(Stack stack, Results results, AppOperations operations, RequestSpans spans, Outbox outbox, string dir, int port, Progress progress)
    {
        var world = WorldState.Load(dir);
        progress.Stage("starting the app on Kestrel (1 s block time)");
        {
            await using var app = BenchApp.Start(port);
            var seconds = await BlockTimeAsync(app.Get<EthRpcClient>());
            results.Add("access block 1s", "", "block_time", $"{seconds:0.0} s between blocks (measured)");
            progress.Note($"the chain mines a block every {seconds:0.0} s");

            progress.Stage("access control at a 1 s block time");
            var latency = new Latency(outbox, operations, spans, results, progress);
            using var doctor = await SignedInAsync(app, world.Doctors[0]);
            using var outsider = await SignedInAsync(app, world.Outsider);
            await latency.AccessAsync("block 1s", world, doctor, outsider, baselines: null);
        }

        progress.Stage("gas per contract function (receipts of the whole run)");
        await new Gas(stack.ChainRpcUrl, results, progress).RunAsync();
    }

    /// <summary>Last (automine again): it adds 100,000 events to the chain, which the other stages must not see.</summary>
    /// <remarks>With a patient of its own (a record, two doctors granted, a few reads): the phase runs alone too.</remarks>
    private static async Task ChainLengthAsync(Stack stack, Results results, int port, Progress progress)
    {
        progress.Stage("starting the app on Kestrel (automine chain)");
        await using var app = BenchApp.Start(port);
        progress.Stage("chain length: a patient with a short history");
        var owner = await World.PatientAsync(app, await World.CreateAreaAsync(app));
        using var patient = await SignedInAsync(app, owner);
        await patient.UploadAsync("bench history", System.Security.Cryptography.RandomNumberGenerator.GetBytes(Sizes.OneKiB), Sizes.OneKiB);
        var record = await World.RecordIdAsync(app, owner, "bench history");
        var buffer = new byte[Sizes.OneMiB];
        for (var d = 0; d < 2; d++)
        {
            var doctor = await World.DoctorAsync(app);
            await World.GrantAsync(app, owner, doctor);
            using var reader = await SignedInAsync(app, doctor);
            for (var i = 0; i < 3; i++)
            {
                await reader.GetAsync($"/Doctor/Records/{record}/Download", buffer);
            }
        }

        await new ChainLength(app, stack, results, progress).RunAsync(patient);
    }

    private static async Task<WorldState> PopulateAsync(BenchApp app, string dir, Progress progress)
    {
        await World.RaisePenaltyThresholdAsync(app);
        var areaId = await World.CreateAreaAsync(app);
        var patients = await World.ManyAsync(1 + Concurrency.UploaderLevels.Max(), 1, () => World.PatientAsync(app, areaId),
            n => progress.Report($"patients {n}/{1 + Concurrency.UploaderLevels.Max()}"));
        var doctors = await World.ManyAsync(Concurrency.ReaderLevels.Max() + 1, 3, () => World.DoctorAsync(app),
            n => progress.Report($"doctors {n}/{Concurrency.ReaderLevels.Max() + 1}"));
        var owner = patients[0];
        using (var browser = await SignedInAsync(app, owner))
        {
            await browser.UploadAsync("bench read 1 MiB", System.Security.Cryptography.RandomNumberGenerator.GetBytes(Sizes.OneMiB), Sizes.OneMiB);
            await browser.UploadAsync("bench read 1 KiB", System.Security.Cryptography.RandomNumberGenerator.GetBytes(Sizes.OneKiB), Sizes.OneKiB);
            await browser.UploadAsync("bench read 50 MiB", new GeneratedContent(Sizes.FiftyMiB));
        }

        var granted = doctors.Take(Concurrency.ReaderLevels.Max()).ToList();
        var done = 0;
        await World.ManyAsync(granted.Count, 4, async () =>
        {
            var i = Interlocked.Increment(ref done) - 1;
            await World.GrantAsync(app, owner, granted[i]);
            return i;
        }, n => progress.Report($"grants {n}/{granted.Count}"));
        var world = new WorldState
        {
            Patient = owner,
            Uploaders = patients.Skip(1).ToList(),
            Doctors = granted,
            Outsider = doctors[^1],
            Record1MiB = await World.RecordIdAsync(app, owner, "bench read 1 MiB"),
            Record1KiB = await World.RecordIdAsync(app, owner, "bench read 1 KiB"),
            Record50MiB = await World.RecordIdAsync(app, owner, "bench read 50 MiB"),
            AreaId = areaId,
        };
        world.Save(dir);
        return world;
    }

    private static async Task<Browser> SignedInAsync(BenchApp app, BenchUser user)
    {
        var browser = new Browser(app.BaseAddress, new Net.TrafficCounter("browser"));
        await browser.SignInAsync(user.Email, World.Password);
        return browser;
    }

    private static async Task<List<Browser>> SignInAllAsync(BenchApp app, IReadOnlyList<BenchUser> users, Progress progress)
    {
        var browsers = new Browser[users.Count];
        var next = -1;
        await World.ManyAsync(users.Count, 2, async () =>
        {
            var i = Interlocked.Increment(ref next);
            browsers[i] = await SignedInAsync(app, users[i]);
            return i;
        }, n => progress.Report($"signing in {n}/{users.Count}"));
        return [.. browsers];
    }

    /// <summary>Seconds between the last blocks the chain mined on its own (no transactions are sent meanwhile).</summary>
    private static async Task<double> BlockTimeAsync(EthRpcClient rpc)
    {
        var start = await rpc.EthBlockNumberAsync();
        var limit = Stopwatch.StartNew();
        ulong first;
        while ((first = await rpc.EthBlockNumberAsync()) == start && limit.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        // From the moment a block appeared to the moment the third after it did.
        var watch = Stopwatch.StartNew();
        ulong last;
        while ((last = await rpc.EthBlockNumberAsync()) < first + 3 && limit.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(10);
        }

        return last > first ? watch.Elapsed.TotalSeconds / (last - first) : double.PositiveInfinity;
    }
}
