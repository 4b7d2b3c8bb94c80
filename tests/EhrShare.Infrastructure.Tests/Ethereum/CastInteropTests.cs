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
