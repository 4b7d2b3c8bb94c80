using System.Numerics;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

public sealed record TransactionSummary(
    string Hash,
    EthAddress From,
    EthAddress? To,
    string Function,
    BigInteger Value,
    ulong GasLimit,
    ulong? GasUsed,
    bool? Succeeded);

public sealed record BlockSummary(
    ulong Number,
    string Hash,
    DateTimeOffset Timestamp,
    ulong GasUsed,
    ulong GasLimit,
    BigInteger? BaseFeePerGas,
    IReadOnlyList<TransactionSummary> Transactions);

public sealed record TransactionDetails(
    TransactionSummary Summary,
    ulong? BlockNumber,
    ulong Nonce,
    IReadOnlyList<KeyValuePair<string, string>> Arguments,
    IReadOnlyList<EhrAccessEvent> Events);

/// <summary>
/// Read-only views of the chain for the admin monitor: recent blocks and their transactions with decoded EhrAccess
/// function names and gas used, and one transaction's decoded arguments and events.
/// </summary>
public sealed class ChainMonitor(EthRpcClient rpc, EthAddress? contractAddress)
{
    private readonly ContractAbi _abi = ContractArtifact.EhrAccess.Abi;

    /// <summary>The latest <paramref name="count"/> blocks, newest first.</summary>
    public async Task<IReadOnlyList<BlockSummary>> GetRecentBlocksAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var latest = await rpc.EthBlockNumberAsync(cancellationToken);
        var numbers = Enumerable.Range(0, (int)Math.Min((ulong)count, latest + 1)).Select(i => latest - (ulong)i);
        var blocks = await Task.WhenAll(numbers.Select(n => GetBlockAsync(n, cancellationToken)));
        return blocks.OfType<BlockSummary>().ToArray();
    }

    public async Task<BlockSummary?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default)
    {
        var blockTask = rpc.EthGetBlockByNumberAsync(number, fullTransactions: true, cancellationToken);
        var receiptsTask = rpc.EthGetBlockReceiptsAsync(number, cancellationToken);
        var block = await blockTask;
        var receipts = (await receiptsTask ?? []).ToDictionary(r => r.TransactionHash, StringComparer.OrdinalIgnoreCase);
        if (block is null)
        {
            return null;
        }

        var txs = block.Transactions
            .Select(t => Summarize(t, receipts.GetValueOrDefault(t.Hash)))
            .ToArray();
        return new BlockSummary(block.Number, block.Hash, block.Timestamp, block.GasUsed, block.GasLimit, block.BaseFeePerGas, txs);
    }

    public async Task<TransactionDetails?> GetTransactionAsync(string hash, CancellationToken cancellationToken = default)
    {
        var tx = await rpc.EthGetTransactionByHashAsync(hash, cancellationToken);
        if (tx is null)
        {
            return null;
        }

        var receipt = await rpc.EthGetTransactionReceiptAsync(hash, cancellationToken);
        var arguments = new List<KeyValuePair<string, string>>();
        if (IsContractCall(tx) && _abi.FindFunction(tx.Input) is { } f)
        {
            try
            {
                var values = f.DecodeCall(tx.Input);
                for (var i = 0; i < values.Length; i++)
                {
                    arguments.Add(new(f.Inputs[i].Name, Format(values[i])));
                }
            }
            catch (AbiException)
            {
                arguments.Add(new("(input)", Hex.Encode(tx.Input)));
            }
        }

        var events = receipt is null
            ? []
            : receipt.Logs.Where(l => contractAddress is { } c && l.Address == c)
                .Select(l => EhrAccessEventDecoder.Decode(l, _abi)).OfType<EhrAccessEvent>().ToArray();
        return new TransactionDetails(Summarize(tx, receipt), tx.BlockNumber, tx.Nonce, arguments, events);
    }

    /// <summary>The function a transaction calls, by its selector: an EhrAccess function name, a transfer or a creation.</summary>
    public string DescribeFunction(EthAddress? to, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (to is null)
        {
            return "(create contract)";
        }

        if (input.Length == 0)
        {
            return "(transfer)";
        }

        if (contractAddress is { } c && to == c && _abi.FindFunction(input) is { } f)
        {
            return f.Name;
        }

        return input.Length >= 4 ? Hex.Encode(input.AsSpan(0, 4)) : Hex.Encode(input);
    }

    private bool IsContractCall(RpcTransaction tx) => contractAddress is { } c && tx.To == c;

    private TransactionSummary Summarize(RpcTransaction tx, RpcReceipt? receipt) =>
        new(tx.Hash, tx.From, tx.To, DescribeFunction(tx.To, tx.Input), tx.Value, tx.Gas, receipt?.GasUsed, receipt?.Succeeded);

    private static string Format(object? value) => value switch
    {
        byte[] { Length: 16 } id => RecordIds.FromBytes16(id).ToString(),
        byte[] b => Hex.Encode(b),
        BigInteger i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        object?[] list => "[" + string.Join(", ", list.Select(Format)) + "]",
        null => "null",
        _ => value.ToString() ?? "",
    };
}
