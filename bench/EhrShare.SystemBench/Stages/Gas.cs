using System.Globalization;
using System.Text;
using System.Text.Json;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Encoding;
using EhrShare.SystemBench.Measuring;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// Gas per contract function, from the receipts of every transaction on the bench chain (fresh for each run: the
/// deployment, the approvals, the bench's uploads, grants and every logged access). Blocks are read in JSON-RPC
/// batches (a block with its transactions, and its receipts); each transaction is named by its function selector
/// from the contract's ABI.
/// </summary>
public sealed class Gas(string rpcUrl, Results results, Progress progress)
{
    private const int Batch = 100;

    public async Task RunAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(rpcUrl), Timeout = TimeSpan.FromMinutes(2) };
        var abi = ContractArtifact.EhrAccess.Abi;
        var latest = Hex.DecodeQuantityUInt64((await CallAsync(http, """[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}]"""))[0].GetProperty("result").GetString()!);
        var gas = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        for (ulong from = 0; from <= latest; from += Batch)
        {
            var to = Math.Min(latest, from + Batch - 1);
            var body = new StringBuilder("[");
            for (var b = from; b <= to; b++)
            {
                var hex = Hex.EncodeQuantity(b);
                body.Append(CultureInfo.InvariantCulture, $$"""{"jsonrpc":"2.0","id":{{2 * b}},"method":"eth_getBlockByNumber","params":["{{hex}}",true]},""");
                body.Append(CultureInfo.InvariantCulture, $$"""{"jsonrpc":"2.0","id":{{2 * b + 1}},"method":"eth_getBlockReceipts","params":["{{hex}}"]},""");
            }

            body[^1] = ']';
            var answers = (await CallAsync(http, body.ToString())).ToDictionary(a => a.GetProperty("id").GetUInt64());
            for (var b = from; b <= to; b++)
            {
                var block = answers[2 * b].GetProperty("result");
                var receipts = answers[2 * b + 1].GetProperty("result").EnumerateArray()
                    .ToDictionary(r => r.GetProperty("transactionHash").GetString()!, r => Hex.DecodeQuantityUInt64(r.GetProperty("gasUsed").GetString()!), StringComparer.OrdinalIgnoreCase);
                foreach (var tx in block.GetProperty("transactions").EnumerateArray())
                {
                    var input = tx.TryGetProperty("input", out var i) ? i.GetString() ?? "0x" : "0x";
                    var isCreate = !tx.TryGetProperty("to", out var t) || t.ValueKind == JsonValueKind.Null;
                    var name = isCreate ? "(deploy EhrAccess)"
                        : input.Length < 10 ? "(ether transfer)"
                        : abi.FindFunction(Hex.Decode(input[..10])) is { } f ? f.Name : "(other)";
                    var used = receipts[tx.GetProperty("hash").GetString()!];
                    (gas.TryGetValue(name, out var list) ? list : gas[name] = []).Add((long)used);
                }
            }

            progress.Report($"receipts of blocks {to + 1}/{latest + 1}");
        }

        foreach (var (name, used) in gas.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            used.Sort();
            results.Add("gas", name, "count", used.Count, "");
            results.Add("gas", name, "min", used[0], "gas");
            results.Add("gas", name, "median", used[used.Count / 2], "gas");
            results.Add("gas", name, "max", used[^1], "gas");
        }

        results.Add("gas", "(all)", "blocks", latest + 1, "");
        results.Add("gas", "(all)", "transactions", gas.Values.Sum(v => v.Count), "");
    }

    private static async Task<List<JsonElement>> CallAsync(HttpClient http, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync((Uri?)null, content);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
