using System.Globalization;
using System.Numerics;
using System.Text;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Testing;
using Xunit.Abstractions;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>
/// Gas per contract function, measured on anvil in a fixed scenario (fixed keys, ids and times, so the numbers are
/// exact), checked against the limits and against the table in docs/gas.md and README.md. Set EHR_UPDATE_GAS_TABLE=1 to rewrite them.
/// </summary>
public class GasTests(AutomineChainFixture chain, ITestOutputHelper output) : IClassFixture<AutomineChainFixture>
{
    private const ulong UserFacingLimit = 80_000;
    private const ulong AllowedAccessLogLimit = 35_000;
    private const ulong BatchedAccessLogLimit = 12_000;
    private const int Batch = 50;
    private const int SetSize = 1024;
    private const string Start = "<!-- gas-table:start -->";
    private const string End = "<!-- gas-table:end -->";

    private static EthKey FixedKey(string name) => EthKey.FromPrivateKey(Keccak256.Hash("ehrshare gas " + name));

    [Fact]
    public async Task EveryFunction_StaysWithinTheGasLimits_AndMatchesTheDocumentedTable()
    {
        var rows = await MeasureAsync();

        foreach (var (function, scenario, gas) in rows)
        {
            Assert.True(gas <= UserFacingLimit, $"{function} ({scenario}) used {gas} gas, over {UserFacingLimit}");
        }

        var allowedLogs = rows.Where(r => r.Function is "logAccess" or "logOwnAccess" && r.Scenario.StartsWith("allowed", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, allowedLogs.Count);
        Assert.All(allowedLogs, r => Assert.True(r.Gas <= AllowedAccessLogLimit, $"{r.Function} ({r.Scenario}) used {r.Gas} gas, over {AllowedAccessLogLimit}"));

        var batched = rows.First(r => r.Function == "logAccessBatch");
        Assert.True(batched.Gas <= BatchedAccessLogLimit, $"a read logged in a batch of {Batch} used {batched.Gas} gas, over {BatchedAccessLogLimit}");

        var table = Table(rows);
        output.WriteLine(table);
        // The same table stands in docs/gas.md (with the notes) and in the README.
        foreach (var file in new[] { Path.Combine("docs", "gas.md"), "README.md" })
        {
            CheckOrUpdate(file, table.Trim());
        }
    }

    private static void CheckOrUpdate(string file, string table)
    {
        var path = Path.Combine(TestStack.RepoRoot, file);
        var doc = File.ReadAllText(path);
        var from = doc.IndexOf(Start, StringComparison.Ordinal);
        var to = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{file} has no {Start} ... {End} section for the gas table.");
        from += Start.Length;
        if (Environment.GetEnvironmentVariable("EHR_UPDATE_GAS_TABLE") == "1")
        {
            File.WriteAllText(path, doc[..from] + "\n" + table + "\n" + doc[to..]);
            return;
        }

        Assert.True(doc[from..to].Trim() == table,
            $"The gas table in {file} is out of date; run the test with EHR_UPDATE_GAS_TABLE=1 and commit the file.\nMeasured:\n" + table);
    }

    private async Task<List<(string Function, string Scenario, ulong Gas)>> MeasureAsync()
    {
        var c = chain.Contract;
        var owner = chain.Manager;
        var patient = FixedKey("patient");
        var doctor = FixedKey("doctor");
        var doctor2 = FixedKey("doctor 2");
        var doctor3 = FixedKey("doctor 3");
        var emergencyDoctor = FixedKey("emergency doctor");
        var scopedDoctor = FixedKey("scoped doctor");
        var scopedDoctor2 = FixedKey("scoped doctor 2");
        foreach (var k in new[] { patient, doctor, doctor2, doctor3, emergencyDoctor, scopedDoctor, scopedDoctor2 })
        {
            await chain.Rpc.RequestAsync("anvil_setBalance", w =>
            {
                w.WriteStringValue(k.Address.ToLowerHex());
                w.WriteStringValue(Hex.EncodeQuantity(BigInteger.Pow(10, 19)));
            }, _ => 0);
        }

        var recordId = Guid.Parse("0192f0a1-b2c3-7d4e-8f9a-0b1c2d3e4f50");
        var record2 = Guid.Parse("0192f0a1-b2c3-7d4e-8f9a-0b1c2d3e4f51");
        var blockHash = ChainFixture.Sha256Of("gas block");
        var farFuture = DateTimeOffset.FromUnixTimeSeconds(4_102_444_800); // 2100-01-01: fixed calldata
        // Logs carry the time of the read and the block it was decided on, as the outbox sends them: a fixed past time
        // (before the chain's, so never clamped) and the latest block (the scenario is fixed, so its number is too).
        var readAt = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
        var rows = new List<(string, string, ulong)>();

        async Task Measure(string function, string scenario, Func<Task<RpcReceipt>> send) =>
            rows.Add((function, scenario, (await send()).GasUsed));

        async Task<ulong> GasOf(string transactionHash) => (await chain.Rpc.EthGetTransactionReceiptAsync(transactionHash))!.GasUsed;

        async Task MeasureLog(string scenario, EthKey from, Guid? id, bool expectAllowed)
        {
            var result = await c.LogAccessAsync(from, patient.Address, id, readAt, await chain.Rpc.EthBlockNumberAsync());
            Assert.Equal(expectAllowed, result.Allowed);
            rows.Add(("logAccess", scenario, await GasOf(result.TransactionHash)));
        }

        await Measure("registerPatient", "new account and {AID, PID}", () => c.RegisterPatientAsync(owner, patient.Address, 1, 42));
        await Measure("registerDoctor", "new account", () => c.RegisterDoctorAsync(owner, doctor.Address));
        await c.RegisterDoctorAsync(owner, doctor2.Address);
        await c.RegisterDoctorAsync(owner, doctor3.Address);
        await c.RegisterDoctorAsync(owner, emergencyDoctor.Address);
        await Measure("addRecord", "new record", () => c.AddRecordAsync(patient, recordId, blockHash));
        await c.AddRecordAsync(patient, record2, blockHash);
        await Measure("requestAccess", "first request", () => c.RequestAccessAsync(doctor, patient.Address));
        await Measure("grantAccess", "after a request", () => c.GrantAccessAsync(patient, doctor.Address, farFuture));
        await Measure("grantAccess", "without a request (new slot)", () => c.GrantAccessAsync(patient, doctor2.Address, farFuture));
        await MeasureLog("allowed, a record", doctor, recordId, true);
        await MeasureLog("allowed, the record list (id 0)", doctor, null, true);
        await Measure("revokeAccess", "a grant", () => c.RevokeAccessAsync(patient, doctor.Address));
        await MeasureLog("denied, first penalty", doctor, recordId, false);

        var threshold = await c.PenaltyThresholdAsync();
        for (var i = 1; i < threshold; i++)
        {
            await c.LogAccessAsync(doctor3, patient.Address, null);
        }

        await MeasureLog("denied, reaching the threshold (suspends)", doctor3, null, false);
        await Measure("liftPenalty", "a suspended doctor", () => c.LiftPenaltyAsync(owner, doctor3.Address));
        await Measure("requestAccess", "again after a revocation (slot in use)", () => c.RequestAccessAsync(doctor, patient.Address));
        await Measure("denyAccess", "a pending request", () => c.DenyAccessAsync(patient, doctor.Address));
        var emergency = await c.DeclareEmergencyAsync(emergencyDoctor, patient.Address, ChainFixture.Sha256Of("reason"));
        rows.Add(("declareEmergency", "no earlier permission (new slot)", await GasOf(emergency.TransactionHash)));
        await MeasureLog("allowed, in an emergency window", emergencyDoctor, recordId, true);
        await Measure("penalize", "a doctor", () => c.PenalizeAsync(owner, emergencyDoctor.Address));
        await Measure("reviewEmergency", "justified", () => c.ReviewEmergencyAsync(owner, patient.Address, emergencyDoctor.Address, emergency.BlockNumber, false));
        await Measure("reviewEmergency", "abusive (a penalty)", () => c.ReviewEmergencyAsync(owner, patient.Address, emergencyDoctor.Address, emergency.BlockNumber, true));
        // A minute after the first, so the window really moves (in the same second it would not, and cost less): the
        // figure must not depend on how fast the machine got here.
        var declaredAt = (await chain.Rpc.EthGetBlockByNumberAsync(BlockParameter.Number(emergency.BlockNumber)))!.Timestamp;
        var next = Math.Max(declaredAt.AddMinutes(1).ToUnixTimeSeconds(), (await chain.ChainNowAsync()).ToUnixTimeSeconds() + 1);
        await chain.Rpc.RequestAsync("evm_setNextBlockTimestamp", w => w.WriteNumberValue(next), _ => 0);
        var again = await c.DeclareEmergencyAsync(emergencyDoctor, patient.Address, ChainFixture.Sha256Of("reason 2"));
        rows.Add(("declareEmergency", "second in the period (window open: extended)", await GasOf(again.TransactionHash)));
        var refused = await c.DeclareEmergencyAsync(emergencyDoctor, patient.Address, ChainFixture.Sha256Of("reason 3"));
        Assert.False(refused.Declared);
        rows.Add(("declareEmergency", "refused: the limit reached (logged)", await GasOf(refused.TransactionHash)));
        await Measure("suspend", "an account", () => c.SuspendAsync(owner, doctor2.Address));
        await Measure("reinstate", "an account", () => c.ReinstateAsync(owner, doctor2.Address));
        await Measure("removeRecord", "a record", () => c.RemoveRecordAsync(patient, record2));
        async Task MeasureOwn(string scenario, Guid? id, bool expectAllowed)
        {
            var result = await c.LogOwnAccessAsync(patient, id, readAt, await chain.Rpc.EthBlockNumberAsync());
            Assert.Equal(expectAllowed, result.Allowed);
            rows.Add(("logOwnAccess", scenario, await GasOf(result.TransactionHash)));
        }

        await MeasureOwn("allowed, a record", recordId, true);
        await MeasureOwn("allowed, the record list (id 0)", null, true);
        await MeasureOwn("a removed record (logged, not allowed)", record2, false);
        await Measure("setPenaltyThreshold", "owner", () => c.SetPenaltyThresholdAsync(owner, 4));
        await Measure("setEmergencyWindow", "owner", () => c.SetEmergencyWindowAsync(owner, TimeSpan.FromMinutes(30)));
        await Measure("setEmergencyLimit", "owner", () => c.SetEmergencyLimitAsync(owner, 3, TimeSpan.FromHours(12)));

        // A batch as the outbox sends it: one doctor's reads of 50 different records (each record's slot read cold), each
        // decided on the latest block at a fixed past time. The figure is the whole transaction's gas over 50.
        var records = new List<Guid> { recordId };
        for (var i = 1; i < Batch; i++)
        {
            var id = Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"0192f0a1-b2c3-7d4e-8f9a-1b1c2d3e{i:x4}"));
            await c.AddRecordAsync(patient, id, blockHash);
            records.Add(id);
        }

        var decidedAt = await chain.Rpc.EthBlockNumberAsync();
        var batch = await c.LogAccessBatchAsync(doctor2, [.. records.Select(id => new LoggedAttempt(patient.Address, id, readAt, decidedAt))]);
        Assert.All(batch, r => Assert.True(r.Allowed));
        var batchGas = await GasOf(batch[0].TransactionHash);
        rows.Add(("logAccessBatch", string.Create(CultureInfo.InvariantCulture, $"{Batch} allowed reads of {Batch} records, per read (the transaction: {batchGas:N0})"),
            (batchGas + (ulong)Batch - 1) / (ulong)Batch));

        // Grants of chosen records: a set of 1,024 (proofs of 10 levels) holding the 50 records, and one record outside it.
        await c.RegisterDoctorAsync(owner, scopedDoctor.Address);
        await c.RegisterDoctorAsync(owner, scopedDoctor2.Address);
        var outside = Guid.Parse("0192f0a1-b2c3-7d4e-8f9a-3b1c2d3e0000");
        await c.AddRecordAsync(patient, outside, blockHash);
        var set = new RecordSet(records.Concat(Enumerable.Range(0, SetSize - records.Count)
            .Select(i => Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"0192f0a1-b2c3-7d4e-8f9a-2b1c2d3e{i:x4}")))));
        await c.RequestAccessAsync(scopedDoctor, patient.Address);
        await Measure("grantRecords", "after a request: a set of 1,024 records (new scope slot)", () => c.GrantRecordsAsync(patient, scopedDoctor.Address, farFuture, set));
        await Measure("grantRecords", "without a request: a set (new permission and scope slots)", () => c.GrantRecordsAsync(patient, scopedDoctor2.Address, farFuture, set));

        async Task MeasureScopedLog(string scenario, Guid id, IReadOnlyList<byte[]> proof, bool expectAllowed)
        {
            var result = await c.LogAccessAsync(scopedDoctor, new LoggedAttempt(patient.Address, id, readAt, await chain.Rpc.EthBlockNumberAsync()) { Proof = proof });
            Assert.Equal(expectAllowed, result.Allowed);
            rows.Add(("logAccess", scenario, await GasOf(result.TransactionHash)));
        }

        Assert.Equal(10, set.ProofFor(recordId).Count);
        await MeasureScopedLog("a set of 1,024 records: allowed (a proof of 10)", recordId, set.ProofFor(recordId), true);
        var scopedDecidedAt = await chain.Rpc.EthBlockNumberAsync();
        var scopedBatch = await c.LogAccessBatchAsync(scopedDoctor,
            [.. records.Select(id => new LoggedAttempt(patient.Address, id, readAt, scopedDecidedAt) { Proof = set.ProofFor(id) })]);
        Assert.All(scopedBatch, r => Assert.True(r.Allowed));
        var scopedBatchGas = await GasOf(scopedBatch[0].TransactionHash);
        rows.Add(("logAccessBatch", string.Create(CultureInfo.InvariantCulture, $"{Batch} allowed reads under a set of 1,024 (proofs of 10), per read (the transaction: {scopedBatchGas:N0})"),
            (scopedBatchGas + (ulong)Batch - 1) / (ulong)Batch));
        await MeasureScopedLog("a set of 1,024 records: outside it (OutsideGrant, a penalty)", outside, [], false);
        await Measure("grantRecords", "a grant in force: the same set (an extension)", () => c.GrantRecordsAsync(patient, scopedDoctor.Address, farFuture, set));
        await Measure("grantRecords", "a grant in force: another set (the old one kept)", () => c.GrantRecordsAsync(patient, scopedDoctor.Address, farFuture, new RecordSet(records)));
        await Measure("grantAccess", "all records, over a set in force", () => c.GrantAccessAsync(patient, scopedDoctor.Address, farFuture));
        return rows;
    }

    private static string Table(IEnumerable<(string Function, string Scenario, ulong Gas)> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| function | case | gas used |");
        sb.AppendLine("|---|---|---:|");
        foreach (var (function, scenario, gas) in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| `{function}` | {scenario} | {gas:N0} |");
        }

        return sb.ToString();
    }
}
