using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Rpc;

/// <summary>Base of every failure talking to the chain, so callers can catch one type at the boundary.</summary>
public class ChainException : Exception
{
    public ChainException(string message)
        : base(message)
    {
    }

    public ChainException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ChainException()
    {
    }
}

/// <summary>The node could not be reached or did not answer in time (connection refused, timeout, not JSON-RPC).</summary>
public sealed class ChainUnavailableException : ChainException
{
    public ChainUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public ChainUnavailableException()
    {
    }

    public ChainUnavailableException(string message)
        : base(message)
    {
    }
}

/// <summary>The node answered with a JSON-RPC error object: its code, message and data, as sent.</summary>
public sealed class RpcException : ChainException
{
    public RpcException(string method, int code, string rpcMessage, string? dataJson)
        : base($"{method} failed: {rpcMessage} (code {code})")
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        DataJson = dataJson;
    }

    public RpcException()
    {
        Method = "";
        RpcMessage = "";
    }

    public RpcException(string message)
        : base(message)
    {
        Method = "";
        RpcMessage = message;
    }

    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "";
        RpcMessage = message;
    }

    public string Method { get; }

    public int Code { get; }

    public string RpcMessage { get; }

    /// <summary>The error's <c>data</c> member as raw JSON, if any.</summary>
    public string? DataJson { get; }

    /// <summary>Execution reverted (geth, anvil and Besu use code 3 with the revert data as a hex string).</summary>
    public bool IsRevert => Code == 3 || RpcMessage.StartsWith("execution reverted", StringComparison.OrdinalIgnoreCase);

    /// <summary>The revert data when <see cref="DataJson"/> is a hex string; otherwise empty.</summary>
    public byte[] RevertData
    {
        get
        {
            if (DataJson is null)
            {
                return [];
            }

            try
            {
                using var doc = JsonDocument.Parse(DataJson);
                return doc.RootElement.ValueKind == JsonValueKind.String && doc.RootElement.GetString() is { } s &&
                       s.StartsWith("0x", StringComparison.Ordinal)
                    ? Hex.Decode(s)
                    : [];
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                return [];
            }
        }
    }
}

/// <summary>A contract call or transaction reverted; <see cref="Reason"/> is the decoded revert data.</summary>
public sealed class ContractRevertException : ChainException
{
    public ContractRevertException(string function, RevertReason reason, string? transactionHash = null, Exception? inner = null)
        : base($"{function} reverted: {reason.Message}" + (transactionHash is null ? "" : $" (transaction {transactionHash})"), inner)
    {
        Function = function;
        Reason = reason;
        TransactionHash = transactionHash;
    }

    public ContractRevertException()
    {
        Function = "";
        Reason = RevertReason.Decode([]);
    }

    public ContractRevertException(string message)
        : base(message)
    {
        Function = "";
        Reason = RevertReason.Decode([]);
    }

    public ContractRevertException(string message, Exception innerException)
        : base(message, innerException)
    {
        Function = "";
        Reason = RevertReason.Decode([]);
    }

    public string Function { get; }

    public RevertReason Reason { get; }

    /// <summary>Set when a mined transaction reverted; null when the revert was found before sending.</summary>
    public string? TransactionHash { get; }

    /// <summary>The custom error's name (e.g. <c>NotOwner</c>), <c>Error</c>, <c>Panic</c> or empty.</summary>
    public string ErrorName => Reason.Name;
}

/// <summary>A sent transaction was not mined within the receipt timeout (it may still be mined later).</summary>
/// <summary>
/// Another transaction of the same account took this one's nonce (the account is also used by another app instance
/// or client): this one can never be mined, so sending the request again with a new nonce is safe.
/// </summary>
public sealed class TransactionReplacedException : ChainException
{
    public TransactionReplacedException(string transactionHash, string description, ulong nonce, string from)
        : base($"Transaction {transactionHash} ({description}) was replaced: nonce {nonce} of {from} was used by another transaction.")
    {
        TransactionHash = transactionHash;
    }

    public TransactionReplacedException()
    {
        TransactionHash = "";
    }

    public TransactionReplacedException(string message)
        : base(message)
    {
        TransactionHash = "";
    }

    public TransactionReplacedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        TransactionHash = "";
    }

    public string TransactionHash { get; }
}

public sealed class TransactionTimeoutException : ChainException
{
    public TransactionTimeoutException(string transactionHash, TimeSpan waited)
        : base($"Transaction {transactionHash} was not mined within {waited.TotalSeconds:0.#} s.")
    {
        TransactionHash = transactionHash;
    }

    public TransactionTimeoutException()
    {
        TransactionHash = "";
    }

    public TransactionTimeoutException(string message)
        : base(message)
    {
        TransactionHash = "";
    }

    public TransactionTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        TransactionHash = "";
    }

    public string TransactionHash { get; }
}
