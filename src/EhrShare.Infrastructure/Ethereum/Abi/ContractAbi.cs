using System.Globalization;
using System.Numerics;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Abi;

/// <summary>A parameter of a function, event or error.</summary>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false);

/// <summary>A contract function: its canonical signature, 4-byte selector and parameter types.</summary>
public sealed class AbiFunction
{
    internal AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, string stateMutability)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        StateMutability = stateMutability;
        InputTypes = inputs.Select(p => p.Type).ToArray();
        OutputTypes = outputs.Select(p => p.Type).ToArray();
        Signature = $"{name}({string.Join(',', InputTypes.Select(t => t.Name))})";
        Selector = Keccak256.Hash(Signature)[..4];
    }

    public string Name { get; }

    public string Signature { get; }

    public byte[] Selector { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiParameter> Outputs { get; }

    public IReadOnlyList<AbiType> InputTypes { get; }

    public IReadOnlyList<AbiType> OutputTypes { get; }

    public string StateMutability { get; }

    public bool IsView => StateMutability is "view" or "pure";

    /// <summary>Call data: the selector followed by the encoded arguments.</summary>
    public byte[] EncodeCall(params IReadOnlyList<object?> arguments)
    {
        var args = AbiCodec.Encode(InputTypes, arguments);
        var data = new byte[4 + args.Length];
        Selector.CopyTo(data, 0);
        args.CopyTo(data, 4);
        return data;
    }

    public object?[] DecodeCall(ReadOnlySpan<byte> callData) =>
        callData.Length >= 4 && callData[..4].SequenceEqual(Selector)
            ? AbiCodec.Decode(InputTypes, callData[4..])
            : throw new AbiException($"Call data is not a call of {Signature}.");

    public object?[] DecodeOutput(ReadOnlySpan<byte> returnData) => AbiCodec.Decode(OutputTypes, returnData);
}

/// <summary>An event: topic 0 is the Keccak-256 of its signature; indexed parameters are the next topics.</summary>
public sealed class AbiEvent
{
    internal AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous)
    {
        Name = name;
        Inputs = inputs;
        Anonymous = anonymous;
        Signature = $"{name}({string.Join(',', inputs.Select(p => p.Type.Name))})";
        Topic = Keccak256.Hash(Signature);
        _dataTypes = inputs.Where(p => !p.Indexed).Select(p => p.Type).ToArray();
    }

    private readonly AbiType[] _dataTypes;

    public string Name { get; }

    public string Signature { get; }

    public byte[] Topic { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public bool Anonymous { get; }

    /// <summary>
    /// The values in declaration order. An indexed parameter of a dynamic type (string, bytes, arrays, tuples) is only
    /// its Keccak-256 hash in the topic, and is returned as that 32-byte hash.
    /// </summary>
    public object?[] Decode(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        var first = Anonymous ? 0 : 1;
        if (!Anonymous && (topics.Count == 0 || !topics[0].AsSpan().SequenceEqual(Topic)))
        {
            throw new AbiException($"Log is not a {Signature} event.");
        }

        var indexedCount = Inputs.Count(p => p.Indexed);
        if (topics.Count != first + indexedCount)
        {
            throw new AbiException($"{Signature} has {indexedCount} indexed parameters but the log has {topics.Count - first}.");
        }

        var dataValues = AbiCodec.Decode(_dataTypes, data);
        var values = new object?[Inputs.Count];
        int topic = first, dataIndex = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var p = Inputs[i];
            if (!p.Indexed)
            {
                values[i] = dataValues[dataIndex++];
            }
            else
            {
                var t = topics[topic++];
                values[i] = p.Type.IsDynamic || p.Type is AbiTupleType or AbiArrayType
                    ? t
                    : p.Type.Decode(t, 0);
            }
        }

        return values;
    }
}

/// <summary>A custom error (Solidity <c>error Name(…)</c>), encoded like a call.</summary>
public sealed class AbiError
{
    internal AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        InputTypes = inputs.Select(p => p.Type).ToArray();
        Signature = $"{name}({string.Join(',', InputTypes.Select(t => t.Name))})";
        Selector = Keccak256.Hash(Signature)[..4];
    }

    public string Name { get; }

    public string Signature { get; }

    public byte[] Selector { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiType> InputTypes { get; }
}

/// <summary>
/// Why a call reverted. <see cref="Kind"/> says how it was encoded: <c>Error(string)</c> from
/// <c>require(…, "message")</c>, <c>Panic(uint256)</c> from assertions and arithmetic, a custom error of the contract,
/// or unknown data (including none: a bare <c>revert()</c>).
/// </summary>
public sealed record RevertReason(RevertKind Kind, string Name, IReadOnlyList<object?> Arguments, byte[] Data)
{
    public static readonly byte[] ErrorSelector = [0x08, 0xc3, 0x79, 0xa0];
    public static readonly byte[] PanicSelector = [0x4e, 0x48, 0x7b, 0x71];

    /// <summary>A readable one-line description, e.g. <c>NotOwner(0x…)</c> or <c>Error: threshold must be positive</c>.</summary>
    public string Message => Kind switch
    {
        RevertKind.Error => (string)Arguments[0]!,
        RevertKind.Panic => $"Panic(0x{(BigInteger)Arguments[0]!:x2})",
        RevertKind.Custom => $"{Name}({string.Join(", ", Arguments.Select(Format))})",
        _ => Data.Length == 0 ? "reverted without a reason" : $"reverted with unknown data {Hex.Encode(Data)}",
    };

    public static RevertReason Decode(ReadOnlySpan<byte> data, ContractAbi? abi = null)
    {
        var bytes = data.ToArray();
        try
        {
            if (data.Length >= 4 && data[..4].SequenceEqual(ErrorSelector))
            {
                var message = (string)AbiCodec.Decode([AbiBytesType.String], data[4..])[0]!;
                return new RevertReason(RevertKind.Error, "Error", [message], bytes);
            }

            if (data.Length >= 4 && data[..4].SequenceEqual(PanicSelector))
            {
                var code = AbiCodec.Decode([new AbiIntegerType(256, false)], data[4..])[0];
                return new RevertReason(RevertKind.Panic, "Panic", [code], bytes);
            }

            if (data.Length >= 4 && abi?.FindError(data[..4]) is { } error)
            {
                return new RevertReason(RevertKind.Custom, error.Name, AbiCodec.Decode(error.InputTypes, data[4..]), bytes);
            }
        }
        catch (AbiException)
        {
            // Malformed revert data: fall through and report it raw.
        }

        return new RevertReason(RevertKind.Unknown, "", [], bytes);
    }

    private static string Format(object? value) => value switch
    {
        byte[] b => Hex.Encode(b),
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        null => "null",
        _ => value.ToString() ?? "",
    };
}

public enum RevertKind
{
    Unknown,
    Error,
    Panic,
    Custom,
}

/// <summary>A contract's ABI, parsed from the JSON the Solidity compiler writes.</summary>
public sealed class ContractAbi
{
    private readonly Dictionary<string, AbiFunction> _functionsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, AbiFunction> _functionsBySelector = [];
    private readonly Dictionary<string, AbiEvent> _eventsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AbiEvent> _eventsByTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, AbiError> _errorsBySelector = [];

    private ContractAbi()
    {
    }

    public IReadOnlyCollection<AbiFunction> Functions => _functionsByName.Values;

    public IReadOnlyCollection<AbiEvent> Events => _eventsByName.Values;

    public IReadOnlyCollection<AbiError> Errors => _errorsBySelector.Values;

    public static ContractAbi Parse(JsonElement abi)
    {
        var result = new ContractAbi();
        foreach (var entry in abi.EnumerateArray())
        {
            var kind = entry.GetProperty("type").GetString();
            var name = entry.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var inputs = Parameters(entry, "inputs");
            switch (kind)
            {
                case "function":
                    var f = new AbiFunction(name, inputs, Parameters(entry, "outputs"),
                        entry.TryGetProperty("stateMutability", out var sm) ? sm.GetString() ?? "nonpayable" : "nonpayable");
                    // Overloads are not used by this project's contracts; the first one wins by name.
                    result._functionsByName.TryAdd(name, f);
                    result._functionsBySelector[SelectorKey(f.Selector)] = f;
                    break;
                case "event":
                    var e = new AbiEvent(name, inputs, entry.TryGetProperty("anonymous", out var an) && an.GetBoolean());
                    result._eventsByName.TryAdd(name, e);
                    result._eventsByTopic[Hex.Encode(e.Topic)] = e;
                    break;
                case "error":
                    var err = new AbiError(name, inputs);
                    result._errorsBySelector[SelectorKey(err.Selector)] = err;
                    break;
            }
        }

        return result;
    }

    public static ContractAbi Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Parse(doc.RootElement);
    }

    public AbiFunction Function(string name) =>
        _functionsByName.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"The ABI has no function '{name}'.");

    public AbiEvent Event(string name) =>
        _eventsByName.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"The ABI has no event '{name}'.");

    public AbiFunction? FindFunction(ReadOnlySpan<byte> selector) =>
        selector.Length >= 4 && _functionsBySelector.TryGetValue(SelectorKey(selector), out var f) ? f : null;

    public AbiEvent? FindEvent(ReadOnlySpan<byte> topic0) =>
        topic0.Length == 32 && _eventsByTopic.TryGetValue(Hex.Encode(topic0), out var e) ? e : null;

    public AbiError? FindError(ReadOnlySpan<byte> selector) =>
        selector.Length >= 4 && _errorsBySelector.TryGetValue(SelectorKey(selector), out var e) ? e : null;

    private static uint SelectorKey(ReadOnlySpan<byte> selector) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(selector);

    private static AbiParameter[] Parameters(JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var list))
        {
            return [];
        }

        return list.EnumerateArray()
            .Select(p => new AbiParameter(
                p.TryGetProperty("name", out var pn) ? pn.GetString() ?? "" : "",
                AbiType.Parse(CanonicalType(p)),
                p.TryGetProperty("indexed", out var ix) && ix.GetBoolean()))
            .ToArray();
    }

    /// <summary>Compiler JSON writes tuples as <c>tuple</c>/<c>tuple[]</c> with components; signatures need <c>(…)</c>.</summary>
    private static string CanonicalType(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString() ?? throw new AbiException("ABI parameter without a type.");
        if (!type.StartsWith("tuple", StringComparison.Ordinal))
        {
            return type;
        }

        var components = parameter.GetProperty("components").EnumerateArray().Select(CanonicalType);
        return "(" + string.Join(',', components) + ")" + type["tuple".Length..];
    }
}
