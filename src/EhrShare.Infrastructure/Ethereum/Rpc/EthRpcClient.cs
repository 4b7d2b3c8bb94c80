using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Encoding;

namespace EhrShare.Infrastructure.Ethereum.Rpc;

/// <summary>
/// Ethereum JSON-RPC over HTTP: one method per RPC method, named from the wire (<c>eth_call</c> →
/// <see cref="EthCallAsync"/>). A typed <see cref="HttpClient"/> client; its base address is the node's URL and its
/// timeout the request timeout. Errors are typed: <see cref="RpcException"/> when the node answers with an error,
/// <see cref="ChainUnavailableException"/> when it cannot be reached or does not answer in time.
/// </summary>
public sealed class EthRpcClient(HttpClient http)
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private long _nextId;

    /// <summary>The endpoint (for messages; never carries credentials in this project).</summary>
    public Uri? Endpoint => http.BaseAddress;

    public Task<long> EthChainIdAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("eth_chainId", null, r => (long)Hex.DecodeQuantityUInt64(r.GetString()!), cancellationToken);

    public Task<ulong> EthBlockNumberAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("eth_blockNumber", null, Quantity, cancellationToken);

    public Task<string> Web3ClientVersionAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("web3_clientVersion", null, r => r.GetString() ?? "", cancellationToken);

    public Task<BigInteger> EthGetBalanceAsync(EthAddress address, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getBalance", w =>
        {
            w.WriteAddressValue(address);
            w.WriteStringValue(block.ToString());
        }, r => Hex.DecodeQuantity(r.GetString()!), cancellationToken);

    /// <summary>The account's nonce; with <see cref="BlockParameter.Pending"/> it counts transactions in the pool too.</summary>
    public Task<ulong> EthGetTransactionCountAsync(EthAddress address, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getTransactionCount", w =>
        {
            w.WriteAddressValue(address);
            w.WriteStringValue(block.ToString());
        }, Quantity, cancellationToken);

    public Task<byte[]> EthGetCodeAsync(EthAddress address, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getCode", w =>
        {
            w.WriteAddressValue(address);
            w.WriteStringValue(block.ToString());
        }, Data, cancellationToken);

    public Task<byte[]> EthCallAsync(CallRequest call, BlockParameter block = default, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_call", w =>
        {
            call.Write(w);
            w.WriteStringValue(block.ToString());
        }, Data, cancellationToken);

    public Task<ulong> EthEstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_estimateGas", call.Write, Quantity, cancellationToken);

    public Task<BigInteger> EthGasPriceAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("eth_gasPrice", null, r => Hex.DecodeQuantity(r.GetString()!), cancellationToken);

    public Task<BigInteger> EthMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        RequestAsync("eth_maxPriorityFeePerGas", null, r => Hex.DecodeQuantity(r.GetString()!), cancellationToken);

    public Task<FeeHistory> EthFeeHistoryAsync(int blockCount, BlockParameter newestBlock, IReadOnlyList<double>? rewardPercentiles = null, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_feeHistory", w =>
        {
            w.WriteStringValue(Hex.EncodeQuantity((ulong)blockCount));
            w.WriteStringValue(newestBlock.ToString());
            w.WriteStartArray();
            foreach (var p in rewardPercentiles ?? [])
            {
                w.WriteNumberValue(p);
            }

            w.WriteEndArray();
        }, FeeHistory.Parse, cancellationToken);

    /// <summary>Sends a signed transaction; returns its hash.</summary>
    public Task<string> EthSendRawTransactionAsync(ReadOnlyMemory<byte> signedTransaction, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_sendRawTransaction", w => w.WriteHexValue(signedTransaction.Span), r => r.GetString()!, cancellationToken);

    /// <summary>The receipt, or null while the transaction is not mined (or unknown).</summary>
    public Task<RpcReceipt?> EthGetTransactionReceiptAsync(string transactionHash, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getTransactionReceipt", w => w.WriteStringValue(transactionHash),
            r => r.ValueKind == JsonValueKind.Null ? null : RpcReceipt.Parse(r), cancellationToken);

    public Task<RpcTransaction?> EthGetTransactionByHashAsync(string transactionHash, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getTransactionByHash", w => w.WriteStringValue(transactionHash),
            r => r.ValueKind == JsonValueKind.Null ? null : RpcTransaction.Parse(r), cancellationToken);

    public Task<RpcBlock?> EthGetBlockByNumberAsync(BlockParameter block, bool fullTransactions = false, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getBlockByNumber", w =>
        {
            w.WriteStringValue(block.ToString());
            w.WriteBooleanValue(fullTransactions);
        }, r => r.ValueKind == JsonValueKind.Null ? null : RpcBlock.Parse(r), cancellationToken);

    public Task<RpcBlock?> EthGetBlockByHashAsync(string blockHash, bool fullTransactions = false, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getBlockByHash", w =>
        {
            w.WriteStringValue(blockHash);
            w.WriteBooleanValue(fullTransactions);
        }, r => r.ValueKind == JsonValueKind.Null ? null : RpcBlock.Parse(r), cancellationToken);

    /// <summary>All receipts of a block in one call (geth, anvil, Besu); null if the block is unknown.</summary>
    public Task<IReadOnlyList<RpcReceipt>?> EthGetBlockReceiptsAsync(BlockParameter block, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getBlockReceipts", w => w.WriteStringValue(block.ToString()),
            r => r.ValueKind == JsonValueKind.Null ? null : (IReadOnlyList<RpcReceipt>)r.EnumerateArray().Select(RpcReceipt.Parse).ToArray(),
            cancellationToken);

    public Task<IReadOnlyList<RpcLog>> EthGetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default) =>
        RequestAsync("eth_getLogs", filter.Write,
            r => (IReadOnlyList<RpcLog>)r.EnumerateArray().Select(RpcLog.Parse).ToArray(), cancellationToken);

    /// <summary>
    /// Any method, for the ones without a typed wrapper (e.g. a dev chain's <c>evm_mine</c>). <paramref name="writeParams"/>
    /// writes the elements of the params array; <paramref name="parseResult"/> reads the result before the response is
    /// released.
    /// </summary>
    public async Task<T> RequestAsync<T>(string method, Action<Utf8JsonWriter>? writeParams, Func<JsonElement, T> parseResult, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(parseResult);
        // Returned to the pool only once a response came back: after a failed or cancelled send the handler might
        // still hold the memory, so it is left to the garbage collector then.
        var body = new PooledBufferWriter();
        using (var w = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", Interlocked.Increment(ref _nextId));
            w.WriteString("method", method);
            w.WriteStartArray("params");
            writeParams?.Invoke(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, (Uri?)null);
        request.Content = new ReadOnlyMemoryContent(body.WrittenMemory);
        request.Content.Headers.ContentType = JsonContentType;

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChainUnavailableException(
                $"{method}: the chain node at {Endpoint} did not answer within {http.Timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ChainUnavailableException($"{method}: the chain node at {Endpoint} is unreachable: {ex.Message}", ex);
        }

        using (response)
        {
            body.Dispose();
            JsonDocument doc;
            try
            {
                // The content is buffered already (ResponseContentRead, so the HttpClient timeout covers the body):
                // parse its stream without another copy.
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                doc = await JsonDocument.ParseAsync(stream, default, cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new ChainUnavailableException(
                    $"{method}: the chain node at {Endpoint} answered HTTP {(int)response.StatusCode} without JSON-RPC.", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ChainUnavailableException($"{method}: reading the answer of {Endpoint} timed out.", ex);
            }
            catch (HttpRequestException ex)
            {
                throw new ChainUnavailableException($"{method}: the connection to {Endpoint} failed: {ex.Message}", ex);
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new ChainUnavailableException($"{method}: the answer of {Endpoint} is not a JSON-RPC object.");
                }

                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : 0;
                    var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                    var data = error.TryGetProperty("data", out var d) ? d.GetRawText() : null;
                    throw new RpcException(method, code, message, data);
                }

                if (!root.TryGetProperty("result", out var result))
                {
                    throw new ChainUnavailableException(
                        $"{method}: the answer of {Endpoint} (HTTP {(int)response.StatusCode}) has neither result nor error.");
                }

                return parseResult(result);
            }
        }
    }

    private static ulong Quantity(JsonElement r) => Hex.DecodeQuantityUInt64(r.GetString()!);

    private static byte[] Data(JsonElement r) => Hex.Decode(r.GetString()!);
}
