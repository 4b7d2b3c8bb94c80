using System.Numerics;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Transactions;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>Foundry's cast, an independent client, reads what this client wrote, and this client reads what cast signed.</summary>
public class CastInteropTests(AutomineChainFixture chain) : IClassFixture<AutomineChainFixture>
{
    [Fact]
    public async Task CastCall_ReadsStateOurClientWrote()
    {
        var (patient, aid, pid) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var recordId = Guid.CreateVersion7();
        var blockHash = ChainFixture.Sha256Of("cast");
        await chain.Contract.AddRecordAsync(patient, recordId, blockHash);
        await chain.Contract.GrantAccessAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(2));
        var contract = chain.Contract.Address.ToString();

        var byAddress = await Cast.RunAsync("call", contract, "patientByAddress(uint32,uint32)(address)",
            aid.ToString(System.Globalization.CultureInfo.InvariantCulture), pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rpc-url", chain.Anvil.Url);
        Assert.Equal(patient.Address.ToString(), byAddress);

        var hasAccess = await Cast.RunAsync("call", contract, "hasAccess(address,address)(bool)", patient.Address.ToString(), doctor.Address.ToString(), "--rpc-url", chain.Anvil.Url);
        Assert.Equal("true", hasAccess);

        // bytes16 in RFC 4122 order: the Guid's canonical hex, as cast sees it.
        var record = await Cast.RunAsync("call", contract, "recordOf(address,bytes16)(bytes32,bool)", patient.Address.ToString(),
            "0x" + recordId.ToString("N"), "--rpc-url", chain.Anvil.Url);
        Assert.Equal([Hex.Encode(blockHash), "false"], record.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task RecordSetLeafAndRoot_AreWhatCastKeccakComputes()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var leafA = await Cast.RunAsync("keccak", await Cast.RunAsync("keccak", "0x" + a.ToString("N")));
        var leafB = await Cast.RunAsync("keccak", await Cast.RunAsync("keccak", "0x" + b.ToString("N")));
        Assert.Equal(leafA, Hex.Encode(RecordSet.Leaf(a)));

        // Two leaves: the root is the keccak of both, the smaller first.
        var (low, high) = string.CompareOrdinal(leafA, leafB) < 0 ? (leafA, leafB) : (leafB, leafA);
        var root = await Cast.RunAsync("keccak", low + high[2..]);
        Assert.Equal(root, Hex.Encode(new RecordSet([a, b]).Root));
    }

    [Fact]
    public async Task CastCalldata_OfABatchWithProofs_IsOurEncoding_AndCastDecodesOurLogAccess()
    {
        var patient = EthKey.Generate().Address;
        var set = new RecordSet(Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()));
        var ids = set.RecordIds.ToArray();
        LoggedAttempt[] attempts =
        [
            new(patient, ids[0], DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), 7) { Proof = set.ProofFor(ids[0]) },
            new(patient, null, DateTimeOffset.FromUnixTimeSeconds(1_750_000_001), 8),
            new(patient, ids[3], DateTimeOffset.FromUnixTimeSeconds(1_750_000_002), 9) { Proof = set.ProofFor(ids[3]) },
        ];
        string Tuple(LoggedAttempt x) =>
            $"({x.Patient},0x{(x.RecordId is { } id ? id.ToString("N") : new string('0', 32))},{x.AttemptedAt!.Value.ToUnixTimeSeconds()},{x.DecidedAtBlock},[{string.Join(',', x.Proof.Select(p => Hex.Encode(p)))}])";

        var cast = await Cast.RunAsync("calldata", "logAccessBatch((address,bytes16,uint64,uint64,bytes32[])[])", "[" + string.Join(',', attempts.Select(Tuple)) + "]");
        var ours = Hex.Encode(chain.Contract.Abi.Function("logAccessBatch").EncodeCall(EhrAccessContract.LogAccessBatchArguments(attempts)));
        Assert.Equal(cast, ours);

        var single = Hex.Encode(chain.Contract.Abi.Function("logAccess").EncodeCall(EhrAccessContract.LogAccessArguments(attempts[2])));
        var decoded = await Cast.RunAsync("decode-calldata", "logAccess(address,bytes16,uint64,uint64,bytes32[])", single);
        Assert.Equal(
            [patient.ToString(), "0x" + ids[3].ToString("N"), "1750000002 [1.75e9]", "9", "[" + string.Join(", ", set.ProofFor(ids[3]).Select(p => Hex.Encode(p))) + "]"],
            decoded.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task CastCall_OfAccessAtWithAProof_AgreesWithOurClient()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var doctor = await chain.NewDoctorAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(Guid.CreateVersion7());
            await chain.Contract.AddRecordAsync(patient, ids[^1], ChainFixture.Sha256Of("cast scoped " + i));
        }

        var set = new RecordSet(ids.Take(2));
        await chain.Contract.GrantRecordsAsync(patient, doctor.Address, (await chain.ChainNowAsync()).AddDays(1), set);
        var at = (await chain.ChainNowAsync()).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        async Task<string[]> CastAccessAt(Guid id, IReadOnlyList<byte[]> proof) =>
            (await Cast.RunAsync("call", chain.Contract.Address.ToString(), "accessAt(address,address,bytes16,uint64,bytes32[])(bool,uint64,bool,uint8,uint64,uint8)",
                patient.Address.ToString(), doctor.Address.ToString(), "0x" + id.ToString("N"), at, "[" + string.Join(',', proof.Select(p => Hex.Encode(p))) + "]",
                "--rpc-url", chain.Anvil.Url)).Split('\n', StringSplitOptions.TrimEntries);

        var inside = await CastAccessAt(ids[1], set.ProofFor(ids[1]));
        var outside = await CastAccessAt(ids[2], set.ProofFor(ids[0]));
        Assert.Equal(("true", "0"), (inside[0], inside[5]));
        Assert.Equal(("false", ((int)DenialReason.OutsideGrant).ToString(System.Globalization.CultureInfo.InvariantCulture)), (outside[0], outside[5]));
        var ours = await chain.Contract.AccessAtAsync(patient.Address, doctor.Address, ids[2], DateTimeOffset.FromUnixTimeSeconds(long.Parse(at, System.Globalization.CultureInfo.InvariantCulture)), set.ProofFor(ids[0]));
        Assert.Equal(DenialReason.OutsideGrant, ours.Reason);
    }

    [Fact]
    public async Task CastReceipt_AndDecodeEvent_ReadOurTransactionAndItsEvent()
    {
        var (patient, _, _) = await chain.NewPatientAsync();
        var recordId = Guid.CreateVersion7();
        var blockHash = ChainFixture.Sha256Of("event");
        var receipt = await chain.Contract.AddRecordAsync(patient, recordId, blockHash);

        using var json = JsonDocument.Parse(await Cast.RunAsync("receipt", receipt.TransactionHash, "--json", "--rpc-url", chain.Anvil.Url));
        var root = json.RootElement;
        Assert.Equal("0x1", root.GetProperty("status").GetString());
        Assert.Equal(patient.Address.ToLowerHex(), root.GetProperty("from").GetString());
        Assert.Equal(receipt.GasUsed, Hex.DecodeQuantityUInt64(root.GetProperty("gasUsed").GetString()!));
        var log = root.GetProperty("logs")[0];
        var topics = log.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToArray();
        Assert.Equal(Hex.Encode(Keccak256.Hash("RecordAdded(address,bytes16,bytes32)")), topics[0]);
        Assert.Equal("0x" + recordId.ToString("N") + new string('0', 32), topics[2]);

        // The event's data holds its one non-indexed parameter, the block hash.
        var data = await Cast.RunAsync("decode-abi", "RecordAdded()(bytes32)", log.GetProperty("data").GetString()!);
        Assert.Equal(Hex.Encode(blockHash), data);

        var tx = await Cast.RunAsync("tx", receipt.TransactionHash, "input", "--rpc-url", chain.Anvil.Url);
        var args = await Cast.RunAsync("decode-calldata", "addRecord(bytes16,bytes32)", tx);
        Assert.Equal(["0x" + recordId.ToString("N"), Hex.Encode(blockHash)], args.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task CastDecodeTransaction_RecoversOurSignerFromOurRawTransaction()
    {
        var key = EthKey.Generate();
        var signed = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = 3,
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = 5_000_000_000,
            GasLimit = 60_000,
            To = chain.Contract.Address,
            Value = 42,
            Data = chain.Contract.Abi.Function("requestAccess").EncodeCall(key.Address),
        }.Sign(key);

        var output = await Cast.RunAsync("decode-transaction", Hex.Encode(signed.Raw));
        using var outer = JsonDocument.Parse(output);
        // cast prints the JSON object as a JSON string.
        using var json = outer.RootElement.ValueKind == JsonValueKind.String ? JsonDocument.Parse(outer.RootElement.GetString()!) : JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(key.Address.ToString(), EthAddress.Parse(root.GetProperty("signer").GetString()!).ToString());
        Assert.Equal(signed.HashHex, root.GetProperty("hash").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OurDecoder_ReadsATransactionCastSigned(bool legacy)
    {
        var key = EthKey.Generate();
        var to = chain.Contract.Address;
        var args = new List<string>
        {
            "mktx", "--private-key", key.ExportPrivateKeyHex(), "--nonce", "5", "--gas-limit", "70000", "--chain", "31337",
            "--value", "1234", "--gas-price", "3000000000",
        };
        if (legacy)
        {
            args.Add("--legacy");
        }
        else
        {
            args.AddRange(["--priority-gas-price", "1000000000"]);
        }

        args.AddRange([to.ToString(), "grantAccess(address,uint64)", key.Address.ToString(), "99"]);
        var raw = await Cast.RunAsync([.. args]);

        var tx = TransactionDecoder.Decode(Hex.Decode(raw));
        Assert.Equal(key.Address, tx.From);
        Assert.Equal(legacy ? 0 : 2, tx.Type);
        Assert.Equal(31337L, tx.ChainId);
        Assert.Equal(5UL, tx.Nonce);
        Assert.Equal(70_000UL, tx.GasLimit);
        Assert.Equal(new BigInteger(1234), tx.Value);
        Assert.Equal(new BigInteger(3_000_000_000), tx.GasPrice);
        Assert.Equal(to, tx.To);
        var call = chain.Contract.Abi.Function("grantAccess").DecodeCall(tx.Data);
        Assert.Equal(key.Address, call[0]);
        Assert.Equal(new BigInteger(99), call[1]);
    }

    [Fact]
    public async Task CastSentTransaction_AppearsDecodedInOurEventsAndMonitor()
    {
        var doctor = await chain.NewFundedKeyAsync();
        var output = await Cast.RunAsync("send", chain.Contract.Address.ToString(), "registerDoctor(address)", doctor.Address.ToString(),
            "--private-key", AnvilProcess.DevKey0, "--rpc-url", chain.Anvil.Url, "--json");
        using var json = JsonDocument.Parse(output);
        var hash = json.RootElement.GetProperty("transactionHash").GetString()!;
        // cast used the manager's nonce behind our nonce manager's back.
        chain.Nonces.Reset(chain.Manager.Address);

        var details = await new ChainMonitor(chain.Rpc, chain.Contract.Address).GetTransactionAsync(hash);
        Assert.Equal("registerDoctor", details!.Summary.Function);
        Assert.Equal(doctor.Address, Assert.IsType<DoctorRegisteredEvent>(Assert.Single(details.Events)).Doctor);
    }
}
