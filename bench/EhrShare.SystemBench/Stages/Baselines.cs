using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.SystemBench.Hosting;

namespace EhrShare.SystemBench.Stages;

/// <summary>One primitive of a baseline set: its name (as in the primitives stage) and one sample of it.</summary>
public sealed record Primitive(string Name, Func<Task> Run);

/// <summary>
/// The primitive sets the end-to-end figures are compared with, ready to be sampled one set at a time between the
/// end-to-end samples (<see cref="Latency"/> alternates one set and one request), so a ratio's two sides see the same
/// load on the shared machine. Each primitive is the one of the <see cref="Primitives"/> stage, through the app's own
/// clients: a read is eth_call (hasAccess) + share read (the vault's rebuild of a real block) + IPFS cat + decrypt of
/// that size; a refused attempt eth_call + one raw insert shaped like the outbox's; an upload encrypt + IPFS add of
/// that size + share store + a transaction round trip.
/// </summary>
public sealed class Baselines : IAsyncDisposable
{
    /// <summary>Results section of the interleaved baselines: "baseline " + the end-to-end section; case "{case}: {primitive}".</summary>
    public const string SectionPrefix = "baseline ";
    private const string ScratchDb = "ehrshare_t_bench_baseline";

    private readonly PrimitiveOperations _ops;
    private readonly Dictionary<string, (string Cid, byte[] Ciphertext, byte[] Key, ExpectedPlaintext Expected)> _reads = [];
    private readonly List<Guid> _stored = [];
    private byte[] _plaintext = [];
    private byte[] _content = [];
    private byte[] _hash = [];
    private byte[] _block = [];
    private string _scratch = "";

    private Baselines(BenchApp app, Stack stack, WorldState world)
    {
        _ops = new PrimitiveOperations(app, stack, world);
    }

    public static async Task<Baselines> PrepareAsync(BenchApp app, Stack stack, WorldState world)
    {
        var b = new Baselines(app, stack, world);
        b._hash = await b._ops.RecordHashAsync();
        b._block = await b._ops.ShareReadAsync(b._hash);
        var largest = Sizes.Upload.Max(s => s.Bytes);
        b._plaintext = RandomNumberGenerator.GetBytes(largest);
        b._content = RandomNumberGenerator.GetBytes(PrimitiveOperations.CiphertextLength(largest));
        foreach (var (bytes, name) in new[] { (Sizes.OneKiB, "1 KiB"), (Sizes.OneMiB, "1 MiB"), (Sizes.FiftyMiB, "50 MiB") })
        {
            var key = RecordCipher.GenerateKey();
            var ciphertext = await PrimitiveOperations.EncryptAsync(b._plaintext, bytes, key);
            var added = await app.Get<KuboRpcClient>().AddAsync(new MemoryStream(ciphertext, writable: false), "record");
            b._reads[name] = (added.Cid, ciphertext, key, new ExpectedPlaintext(bytes, SHA256.HashData(b._plaintext.AsSpan(0, bytes))));
        }

        b._scratch = await b._ops.CreateScratchAsync(ScratchDb);
        return b;
    }

    /// <summary>eth_call + share read + IPFS cat + decrypt of that size (1 KiB, 1 MiB or 50 MiB).</summary>
    public IReadOnlyList<Primitive> Read(string size) =>
    [
        new("eth_call", _ops.EthCallAsync),
        new("share_read", ShareReadAsync),
        new("ipfs_cat " + size, () => _ops.CatAsync(_reads[size].Cid)),
        new("decrypt " + size, () => _ops.DecryptAsync(_reads[size].Ciphertext, _reads[size].Key, _reads[size].Expected)),
    ];

    /// <summary>eth_call + one DB write.</summary>
    public IReadOnlyList<Primitive> Refusal() => [new("eth_call", _ops.EthCallAsync), new("db_write", () => _ops.DbWriteAsync(_scratch))];

    /// <summary>encrypt + IPFS add of that size + share store + a transaction round trip.</summary>
    public IReadOnlyList<Primitive> Upload(int bytes, string size) =>
    [
        new("encrypt " + size, () => PrimitiveOperations.EncryptAsync(_plaintext, bytes, RecordCipher.GenerateKey())),
        new("ipfs_add " + size, () => _ops.AddAsync(_content, PrimitiveOperations.CiphertextLength(bytes))),
        new("share_store", ShareStoreAsync),
        new("tx_roundtrip", _ops.TxRoundTripAsync),
    ];

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _stored)
        {
            await _ops.ShareDestroyAsync(id);
        }

        await _ops.DropScratchAsync(ScratchDb);
    }

    private async Task ShareReadAsync() => CryptographicOperations.ZeroMemory(await _ops.ShareReadAsync(_hash));

    private Task ShareStoreAsync()
    {
        var id = Guid.CreateVersion7();
        _stored.Add(id);
        return _ops.ShareStoreAsync(id, _block);
    }
}
