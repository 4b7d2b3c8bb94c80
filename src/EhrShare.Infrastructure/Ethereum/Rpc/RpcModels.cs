using System.Globalization;
using System.Numerics;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Rpc;

/// <summary>A block parameter: a tag (<c>latest</c>, <c>pending</c>, …) or a block number. The default is latest.</summary>
public readonly record struct BlockParameter
{
    private readonly string? _tag;
    private readonly ulong _number;
    private readonly bool _isNumber;

    private BlockParameter(string? tag, ulong number, bool isNumber)
    {
        _tag = tag;
        _number = number;
        _isNumber = isNumber;
    }

    public static BlockParameter Latest { get; } = new("latest", 0, false);

    public static BlockParameter Pending { get; } = new("pending", 0, false);

    public static BlockParameter Earliest { get; } = new("earliest", 0, false);

    public static BlockParameter Safe { get; } = new("safe", 0, false);

    public static BlockParameter Finalized { get; } = new("finalized", 0, false);

    public static BlockParameter Number(ulong number) => new(null, number, true);

    public static implicit operator BlockParameter(ulong number) => Number(number);

    public ulong? BlockNumber => _isNumber ? _number : null;

    public override string ToString() => _isNumber ? Hex.EncodeQuantity(_number) : _tag ?? "latest";
}

/// <summary>Arguments of <c>eth_call</c> and <c>eth_estimateGas</c>.</summary>
public sealed record CallRequest
{
    public EthAddress? From { get; init; }

    public EthAddress? To { get; init; }

    public byte[]? Data { get; init; }

    public BigInteger? Value { get; init; }

    public ulong? Gas { get; init; }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (From is { } from)
        {
            w.WriteAddress("from", from);
        }

        if (To is { } to)
        {
            w.WriteAddress("to", to);
        }

        if (Data is { } data)
        {
            w.WriteHex("input", data);
        }

        if (Value is { } value)
        {
            w.WriteString("value", Hex.EncodeQuantity(value));
        }

        if (Gas is { } gas)
        {
            w.WriteString("gas", Hex.EncodeQuantity(gas));
        }

        w.WriteEndObject();
    }
}

/// <summary>
/// An <c>eth_getLogs</c> filter. <see cref="Topics"/>: position i matches topic i; a null position matches anything,
/// a list matches any of its values.
/// </summary>
public sealed record LogFilter
{
    public BlockParameter FromBlock { get; init; } = BlockParameter.Number(0);

    public BlockParameter ToBlock { get; init; } = BlockParameter.Latest;

    public IReadOnlyList<EthAddress> Addresses { get; init; } = [];

    public IReadOnlyList<IReadOnlyList<byte[]>?> Topics { get; init; } = [];

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("fromBlock", FromBlock.ToString());
        w.WriteString("toBlock", ToBlock.ToString());
        if (Addresses.Count == 1)
        {
            w.WriteAddress("address", Addresses[0]);
        }
        else if (Addresses.Count > 1)
        {
            w.WriteStartArray("address");
            foreach (var a in Addresses)
            {
                w.WriteAddressValue(a);
            }

            w.WriteEndArray();
        }

        if (Topics.Count > 0)
        {
            w.WriteStartArray("topics");
            foreach (var position in Topics)
            {
                if (position is null)
                {
                    w.WriteNullValue();
                }
                else if (position.Count == 1)
                {
                    w.WriteHexValue(position[0]);
                }
                else
                {
                    w.WriteStartArray();
                    foreach (var t in position)
                    {
                        w.WriteHexValue(t);
                    }

                    w.WriteEndArray();
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}

public sealed record RpcLog
{
    public required EthAddress Address { get; init; }

    public required IReadOnlyList<byte[]> Topics { get; init; }

    public required byte[] Data { get; init; }

    public ulong BlockNumber { get; init; }

    public string BlockHash { get; init; } = "";

    /// <summary>Set by nodes that include <c>blockTimestamp</c> in logs (anvil, recent geth); null otherwise.</summary>
    public DateTimeOffset? BlockTimestamp { get; init; }

    public string TransactionHash { get; init; } = "";

    public ulong TransactionIndex { get; init; }

    public ulong LogIndex { get; init; }

    public bool Removed { get; init; }

    internal static RpcLog Parse(JsonElement e) => new()
    {
        Address = e.Address("address"),
        Topics = e.GetProperty("topics").EnumerateArray().Select(t => Hex.Decode(t.GetString()!)).ToArray(),
        Data = e.Bytes("data"),
        BlockNumber = e.OptionalUInt64("blockNumber") ?? 0,
        BlockHash = e.OptionalString("blockHash") ?? "",
        BlockTimestamp = e.OptionalUInt64("blockTimestamp") is { } ts ? DateTimeOffset.FromUnixTimeSeconds((long)ts) : null,
        TransactionHash = e.OptionalString("transactionHash") ?? "",
        TransactionIndex = e.OptionalUInt64("transactionIndex") ?? 0,
        LogIndex = e.OptionalUInt64("logIndex") ?? 0,
        Removed = e.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True,
    };
}

public sealed record RpcReceipt
{
    public required string TransactionHash { get; init; }

    public required ulong BlockNumber { get; init; }

    public required string BlockHash { get; init; }

    public ulong TransactionIndex { get; init; }

    public required EthAddress From { get; init; }

    public EthAddress? To { get; init; }

    public EthAddress? ContractAddress { get; init; }

    public required ulong GasUsed { get; init; }

    public BigInteger EffectiveGasPrice { get; init; }

    /// <summary>True when the transaction succeeded (status 1).</summary>
    public required bool Succeeded { get; init; }

    public required IReadOnlyList<RpcLog> Logs { get; init; }

    internal static RpcReceipt Parse(JsonElement e) => new()
    {
        TransactionHash = e.GetProperty("transactionHash").GetString()!,
        BlockNumber = e.UInt64("blockNumber"),
        BlockHash = e.GetProperty("blockHash").GetString()!,
        TransactionIndex = e.OptionalUInt64("transactionIndex") ?? 0,
        From = e.Address("from"),
        To = e.OptionalAddress("to"),
        ContractAddress = e.OptionalAddress("contractAddress"),
        GasUsed = e.UInt64("gasUsed"),
        EffectiveGasPrice = e.OptionalBigInteger("effectiveGasPrice") ?? BigInteger.Zero,
        Succeeded = e.OptionalUInt64("status") == 1,
        Logs = e.GetProperty("logs").EnumerateArray().Select(RpcLog.Parse).ToArray(),
    };
}

public sealed record RpcTransaction
{
    public required string Hash { get; init; }

    public required byte Type { get; init; }

    public required ulong Nonce { get; init; }

    public ulong? BlockNumber { get; init; }

    public string? BlockHash { get; init; }

    public ulong? TransactionIndex { get; init; }

    public required EthAddress From { get; init; }

    public EthAddress? To { get; init; }

    public required BigInteger Value { get; init; }

    public required ulong Gas { get; init; }

    public BigInteger? GasPrice { get; init; }

    public BigInteger? MaxFeePerGas { get; init; }

    public BigInteger? MaxPriorityFeePerGas { get; init; }

    public required byte[] Input { get; init; }

    public long? ChainId { get; init; }

    internal static RpcTransaction Parse(JsonElement e) => new()
    {
        Hash = e.GetProperty("hash").GetString()!,
        Type = (byte)(e.OptionalUInt64("type") ?? 0),
        Nonce = e.UInt64("nonce"),
        BlockNumber = e.OptionalUInt64("blockNumber"),
        BlockHash = e.OptionalString("blockHash"),
        TransactionIndex = e.OptionalUInt64("transactionIndex"),
        From = e.Address("from"),
        To = e.OptionalAddress("to"),
        Value = e.OptionalBigInteger("value") ?? BigInteger.Zero,
        Gas = e.UInt64("gas"),
        GasPrice = e.OptionalBigInteger("gasPrice"),
        MaxFeePerGas = e.OptionalBigInteger("maxFeePerGas"),
        MaxPriorityFeePerGas = e.OptionalBigInteger("maxPriorityFeePerGas"),
        Input = e.TryGetProperty("input", out var i) ? Hex.Decode(i.GetString()!) : [],
        ChainId = e.OptionalUInt64("chainId") is { } c ? (long)c : null,
    };
}

public sealed record RpcBlock
{
    public required ulong Number { get; init; }

    public required string Hash { get; init; }

    public required string ParentHash { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required ulong GasUsed { get; init; }

    public required ulong GasLimit { get; init; }

    public BigInteger? BaseFeePerGas { get; init; }

    public EthAddress Miner { get; init; }

    public required IReadOnlyList<string> TransactionHashes { get; init; }

    /// <summary>Filled only when the block was requested with full transactions.</summary>
    public IReadOnlyList<RpcTransaction> Transactions { get; init; } = [];

    internal static RpcBlock Parse(JsonElement e)
    {
        var txs = e.GetProperty("transactions");
        var full = txs.GetArrayLength() > 0 && txs[0].ValueKind == JsonValueKind.Object;
        var transactions = full ? txs.EnumerateArray().Select(RpcTransaction.Parse).ToArray() : [];
        return new RpcBlock
        {
            Number = e.UInt64("number"),
            Hash = e.GetProperty("hash").GetString()!,
            ParentHash = e.GetProperty("parentHash").GetString()!,
            Timestamp = DateTimeOffset.FromUnixTimeSeconds((long)e.UInt64("timestamp")),
            GasUsed = e.UInt64("gasUsed"),
            GasLimit = e.UInt64("gasLimit"),
            BaseFeePerGas = e.OptionalBigInteger("baseFeePerGas"),
            Miner = e.OptionalAddress("miner") ?? EthAddress.Zero,
            TransactionHashes = full ? transactions.Select(t => t.Hash).ToArray() : txs.EnumerateArray().Select(t => t.GetString()!).ToArray(),
            Transactions = transactions,
        };
    }
}

/// <summary><c>eth_feeHistory</c>: base fees include the next block's (one more entry than blocks asked for).</summary>
public sealed record FeeHistory(ulong OldestBlock, IReadOnlyList<BigInteger> BaseFeePerGas, IReadOnlyList<double> GasUsedRatio, IReadOnlyList<IReadOnlyList<BigInteger>> Reward)
{
    public BigInteger NextBaseFee => BaseFeePerGas.Count > 0 ? BaseFeePerGas[^1] : BigInteger.Zero;

    internal static FeeHistory Parse(JsonElement e) => new(
        e.UInt64("oldestBlock"),
        e.GetProperty("baseFeePerGas").EnumerateArray().Select(x => Hex.DecodeQuantity(x.GetString()!)).ToArray(),
        e.GetProperty("gasUsedRatio").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
        e.TryGetProperty("reward", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(b => (IReadOnlyList<BigInteger>)b.EnumerateArray().Select(x => Hex.DecodeQuantity(x.GetString()!)).ToArray()).ToArray()
            : []);
}

internal static class JsonHex
{
    public static ulong UInt64(this JsonElement e, string name) => Hex.DecodeQuantityUInt64(e.GetProperty(name).GetString()!);

    public static ulong? OptionalUInt64(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Hex.DecodeQuantityUInt64(p.GetString()!) : null;

    public static BigInteger? OptionalBigInteger(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Hex.DecodeQuantity(p.GetString()!) : null;

    public static string? OptionalString(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public static byte[] Bytes(this JsonElement e, string name) => Hex.Decode(e.GetProperty(name).GetString()!);

    public static EthAddress Address(this JsonElement e, string name) => ParseAddress(e.GetProperty(name).GetString()!);

    public static EthAddress? OptionalAddress(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? ParseAddress(p.GetString()!) : null;

    // Nodes send lower-case addresses; parse without a checksum check, but strictly 20 bytes.
    private static EthAddress ParseAddress(string s) => EthAddress.FromBytes(Hex.Decode(s));

    public static string Invariant(this ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
