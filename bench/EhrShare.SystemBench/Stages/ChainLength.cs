using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using EhrShare.Core.Monitoring;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// Issue 14: a patient's History page (over HTTP, signed in) and the monitor's snapshot (the use case, in process) with
/// 1,000 and with 100,000 contract events on the chain. The events are seeded in bulk by a patient and a doctor of their
/// own (registered by the manager; the doctor granted, then logging reads of the patient's record list: AccessGranted
/// events), so the measured patient's own history is the same at both sizes: only the chain's length changes. Blocks are
/// mined by hand while seeding (anvil's automine off, evm_mine), about 900 transactions a block, then 12 empty blocks
/// (the monitor lists the latest 10 blocks with their transactions). Before each size is
/// measured the app's chain index (when it has one: the ChainIndexState table) is waited for.
/// </summary>
public sealed class ChainLength(BenchApp app, Stack stack, Results results, Progress progress)
{
    public const string Section = "chain length";

    public static readonly int[] Sizes = [1_000, 100_000];

    public const int Samples = 40;

    private const string ManagerAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // anvil's first dev account (its key is Chain:ManagerPrivateKey on the bench stack)
    private const int SendConcurrency = 16;
    private const int Batch = 2_000;

    public async Task RunAsync(Browser patient)
    {
        // A client of its own: seeding 100,000 transactions makes single calls (txpool_status, evm_mine) slower than the
        // app's request timeout on a loaded machine.
        using var http = new HttpClient { BaseAddress = new Uri(stack.ChainRpcUrl), Timeout = TimeSpan.FromMinutes(5) };
        var rpc = new EthRpcClient(http);
        var contract = app.Get<IOptions<ChainOptions>>().Value.ContractAddress!;
        var (seedPatient, seedDoctor) = await PrepareSeedersAsync(rpc, contract);
        var ratios = new Dictionary<string, double[]>();
        foreach (var size in Sizes)
        {
            var have = await CountEventsAsync(rpc, contract);
            if (have < size)
            {
                await SeedAsync(rpc, contract, seedPatient, seedDoctor, (int)(size - have), size);
            }

            var events = await CountEventsAsync(rpc, contract);
            results.Add(Section, Invariant($"{size}"), "events", events, "");
            progress.Stage(Invariant($"chain length {size:N0}: waiting for the app's chain index"));
            var waited = await WaitForIndexAsync(rpc);
            results.Add(Section, Invariant($"{size}"), "index_wait", waited.TotalSeconds, "s");

            progress.Stage(Invariant($"chain length {size:N0}: History page and monitor snapshot ({events:N0} events)"));
            var history = new List<double>();
            var monitor = new List<double>();
            var buffer = new byte[1 << 20];
            // Warm-up, then the two interleaved so both see the same load.
            await patient.GetAsync("/Patient/History", buffer);
            await SnapshotAsync();
            for (var i = 0; i < Samples; i++)
            {
                var watch = Stopwatch.StartNew();
                var (status, _) = await patient.GetAsync("/Patient/History", buffer);
                history.Add(watch.Elapsed.TotalMilliseconds);
                if ((int)status != 200)
                {
                    throw new InvalidOperationException($"History answered {(int)status}");
                }

                watch.Restart();
                await SnapshotAsync();
                monitor.Add(watch.Elapsed.TotalMilliseconds);
                progress.Report(Invariant($"{i + 1}/{Samples}"));
            }

            results.AddLatencies(Section, Invariant($"history {size}"), history);
            results.AddLatencies(Section, Invariant($"monitor {size}"), monitor);
        }
    }

    private async Task SnapshotAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var snapshot = await scope.ServiceProvider.GetRequiredService<ISystemMonitor>().SnapshotAsync(default);
        if (!snapshot.Chain.Reachable)
        {
            throw new InvalidOperationException($"The monitor found the chain down: {snapshot.Chain.Error}");
        }
    }

    /// <summary>A patient and a doctor of the seeder's own (random accounts, impersonated on anvil), the doctor granted.</summary>
    private static async Task<(string Patient, string Doctor)> PrepareSeedersAsync(EthRpcClient rpc, string contract)
    {
        var patient = RandomAddress();
        var doctor = RandomAddress();
        foreach (var account in new[] { patient, doctor })
        {
            await rpc.RequestAsync("anvil_impersonateAccount", w => w.WriteStringValue(account), _ => 0);
            await rpc.RequestAsync("anvil_setBalance", w =>
            {
                w.WriteStringValue(account);
                w.WriteStringValue("0x" + BigInteger.Pow(10, 22).ToString("x", CultureInfo.InvariantCulture).TrimStart('0'));
            }, _ => 0);
        }

        var pid = (uint)Random.Shared.Next(1_000_000, int.MaxValue);
        await SendAndWaitAsync(rpc, ManagerAddress, contract, "0xd354210a" + Word(patient) + Word(999) + Word(pid));
        await SendAndWaitAsync(rpc, ManagerAddress, contract, "0x699ca998" + Word(doctor));
        var until = (ulong)DateTimeOffset.UtcNow.AddYears(5).ToUnixTimeSeconds();
        await SendAndWaitAsync(rpc, patient, contract, "0xa7e5f0ea" + Word(doctor) + Word(until));
        return (patient, doctor);
    }

    /// <summary>
    /// <paramref name="count"/> logAccess transactions (an allowed read of the record list: one AccessGranted each), sent
    /// with automine off and mined by hand in full blocks.
    /// </summary>
    private async Task SeedAsync(EthRpcClient rpc, string contract, string patient, string doctor, int count, int size)
    {
        // logAccess(patient, bytes16(0), attemptedAt, decidedAtBlock): the largest values mean "now, this block".
        var data = "0xec70b1c8" + Word(patient) + new string('0', 64) + Word(ulong.MaxValue) + Word(ulong.MaxValue);
        await rpc.RequestAsync("evm_setAutomine", w => w.WriteBooleanValue(false), _ => 0);
        // Nonces given here: anvil gives two concurrent sends of one account the same one otherwise.
        var nonce = (long)await rpc.EthGetTransactionCountAsync(Infrastructure.Ethereum.Crypto.EthAddress.Parse(doctor), BlockParameter.Pending) - 1;
        try
        {
            var sent = 0;
            while (sent < count)
            {
                var batch = Math.Min(Batch, count - sent);
                string? last = null;
                var next = 0;
                await Task.WhenAll(Enumerable.Range(0, SendConcurrency).Select(async _ =>
                {
                    while (Interlocked.Increment(ref next) <= batch)
                    {
                        var hash = await SendAsync(rpc, doctor, contract, data, Interlocked.Increment(ref nonce));
                        Volatile.Write(ref last, hash);
                    }
                }));

                // Mine until every transaction of the batch is in a block.
                while (await rpc.RequestAsync("txpool_status", null, r => Quantity(r.GetProperty("pending")) + Quantity(r.GetProperty("queued"))) > 0)
                {
                    await rpc.RequestAsync("evm_mine", null, _ => 0);
                }

                sent += batch;
                progress.Report(Invariant($"seeding events for {size:N0}: {sent:N0}/{count:N0}"));
            }

            // The monitor shows the latest blocks with every transaction and receipt: end on ordinary blocks, so it
            // measures the chain's length, not one block of 900 seeded transactions.
            for (var i = 0; i < 12; i++)
            {
                await rpc.RequestAsync("evm_mine", null, _ => 0);
            }
        }
        finally
        {
            await rpc.RequestAsync("evm_setAutomine", w => w.WriteBooleanValue(true), _ => 0);
        }
    }

    /// <summary>The contract's events on the chain now.</summary>
    private static async Task<long> CountEventsAsync(EthRpcClient rpc, string contract) =>
        (await rpc.EthGetLogsAsync(new LogFilter { Addresses = [Infrastructure.Ethereum.Crypto.EthAddress.Parse(contract)] })).Count;

    /// <summary>Until the app's chain index has the head (nothing to wait for on an app without one).</summary>
    private async Task<TimeSpan> WaitForIndexAsync(EthRpcClient rpc)
    {
        var head = (long)await rpc.EthBlockNumberAsync();
        var watch = Stopwatch.StartNew();
        await using var connection = new MySqlConnection(stack.AppDb);
        await connection.OpenAsync();
        await using (var exists = new MySqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'ChainIndexState'", connection))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 0)
            {
                return TimeSpan.Zero;
            }
        }

        while (true)
        {
            await using var command = new MySqlCommand("SELECT COALESCE(MAX(Block), -1) FROM ChainIndexState", connection);
            var block = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            if (block >= head)
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException(Invariant($"The chain index reached block {block} of {head} in 30 min."));
            }

            progress.Report(Invariant($"indexed through block {block} of {head}"));
            await Task.Delay(500);
        }
    }

    private static async Task SendAndWaitAsync(EthRpcClient rpc, string from, string to, string data)
    {
        var hash = await SendAsync(rpc, from, to, data);
        var watch = Stopwatch.StartNew();
        RpcReceipt? receipt;
        while ((receipt = await rpc.EthGetTransactionReceiptAsync(hash)) is null)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"No receipt for {hash}");
            }

            await Task.Delay(20);
        }

        if (!receipt.Succeeded)
        {
            throw new InvalidOperationException($"The seeding transaction {hash} reverted.");
        }
    }

    private static Task<string> SendAsync(EthRpcClient rpc, string from, string to, string data, long? nonce = null) =>
        rpc.RequestAsync("eth_sendTransaction", w =>
        {
            w.WriteStartObject();
            w.WriteString("from", from);
            w.WriteString("to", to);
            w.WriteString("data", data);
            w.WriteString("gas", "0x186a0");
            if (nonce is { } n)
            {
                w.WriteString("nonce", "0x" + n.ToString("x", CultureInfo.InvariantCulture));
            }

            w.WriteEndObject();
        }, r => r.GetString()!);

    private static long Quantity(System.Text.Json.JsonElement e) =>
        e.ValueKind == System.Text.Json.JsonValueKind.Number ? e.GetInt64() : Convert.ToInt64(e.GetString(), 16);

    private static string RandomAddress() => "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

    private static string Word(string address) => address[2..].ToLowerInvariant().PadLeft(64, '0');

    private static string Word(ulong value) => value.ToString("x", CultureInfo.InvariantCulture).PadLeft(64, '0');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
