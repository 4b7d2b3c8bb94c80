using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.SystemBench.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MySqlConnector;

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

    private readonly BenchApp _app;
    private readonly Stack _stack;
    private readonly WorldState _world;
    private readonly byte[] _sink = new byte[64 * 1024];
    private readonly Dictionary<string, (string Cid, byte[] Ciphertext, byte[] Key, ExpectedPlaintext Expected)> _reads = [];
    private readonly List<Guid> _stored = [];
    private byte[] _plaintext = [];
    private byte[] _content = [];
    private byte[] _hash = [];
    private byte[] _block = [];
    private string _scratch = "";

    private Baselines(BenchApp app, Stack stack, WorldState world)
    {
        _app = app;
        _stack = stack;
        _world = world;
    }

    public static async Task<Baselines> PrepareAsync(BenchApp app, Stack stack, WorldState world)
    {
        var b = new Baselines(app, stack, world);
        using (var scope = app.Services.CreateScope())
        {
            b._hash = await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetRecordHashAsync(world.Patient.Account, world.Record1MiB, CancellationToken.None)
                ?? throw new InvalidOperationException("The 1 MiB record has no hash on the chain.");
        }

        b._block = await app.Get<IShareVault>().RebuildAsync(world.Record1MiB, b._hash, CancellationToken.None);
        var largest = Sizes.Upload.Max(s => s.Bytes);
        b._plaintext = RandomNumberGenerator.GetBytes(largest);
        b._content = RandomNumberGenerator.GetBytes(CiphertextLength(largest));
        foreach (var (bytes, name) in new[] { (Sizes.OneKiB, "1 KiB"), (Sizes.OneMiB, "1 MiB"), (Sizes.FiftyMiB, "50 MiB") })
        {
            var key = RecordCipher.GenerateKey();
            await using var encrypting = new RecordEncryptingStream(new MemoryStream(b._plaintext, 0, bytes, writable: false), key);
            using var output = new MemoryStream(CiphertextLength(bytes));
            await encrypting.CopyToAsync(output);
            var ciphertext = output.ToArray();
            var added = await app.Get<KuboRpcClient>().AddAsync(new MemoryStream(ciphertext, writable: false), "record");
            b._reads[name] = (added.Cid, ciphertext, key, new ExpectedPlaintext(bytes, SHA256.HashData(b._plaintext.AsSpan(0, bytes))));
        }

        b._scratch = new MySqlConnectionStringBuilder(stack.AppDb) { Database = ScratchDb }.ConnectionString;
        await ExecuteAsync(stack.AppDb,
            $"CREATE DATABASE IF NOT EXISTS {ScratchDb}; DROP TABLE IF EXISTS {ScratchDb}.AccessLog; CREATE TABLE {ScratchDb}.AccessLog LIKE AccessLog;");
        return b;
    }

    /// <summary>eth_call + share read + IPFS cat + decrypt of that size (1 KiB, 1 MiB or 50 MiB).</summary>
    public IReadOnlyList<Primitive> Read(string size) =>
    [
        new("eth_call", EthCallAsync),
        new("share_read", ShareReadAsync),
        new("ipfs_cat " + size, () => CatAsync(size)),
        new("decrypt " + size, () => DecryptAsync(size)),
    ];

    /// <summary>eth_call + one DB write.</summary>
    public IReadOnlyList<Primitive> Refusal() => [new("eth_call", EthCallAsync), new("db_write", DbWriteAsync)];

    /// <summary>encrypt + IPFS add of that size + share store + a transaction round trip.</summary>
    public IReadOnlyList<Primitive> Upload(int bytes, string size) =>
    [
        new("encrypt " + size, () => EncryptAsync(bytes)),
        new("ipfs_add " + size, () => AddAsync(bytes)),
        new("share_store", ShareStoreAsync),
        new("tx_roundtrip", TxRoundTripAsync),
    ];

    public async ValueTask DisposeAsync()
    {
        var vault = _app.Get<IShareVault>();
        foreach (var id in _stored)
        {
            await vault.DestroyAsync(id, CancellationToken.None);
        }

        await ExecuteAsync(_stack.AppDb, $"DROP DATABASE IF EXISTS {ScratchDb}");
    }

    private static int CiphertextLength(int bytes) => bytes + (bytes / (64 * 1024) + 1) * 16 + 64;

    private async Task EthCallAsync()
    {
        if (!await _app.Get<EhrAccessContract>().HasAccessAsync(EthAddress.Parse(_world.Patient.Account), EthAddress.Parse(_world.Doctors[0].Account)))
        {
            throw new InvalidOperationException("hasAccess should be true for a granted doctor.");
        }
    }

    private async Task ShareReadAsync()
    {
        var block = await _app.Get<IShareVault>().RebuildAsync(_world.Record1MiB, _hash, CancellationToken.None);
        CryptographicOperations.ZeroMemory(block);
    }

    private async Task CatAsync(string size)
    {
        await using var stream = await _app.Get<KuboRpcClient>().CatAsync(_reads[size].Cid);
        while (await stream.ReadAsync(_sink) > 0)
        {
        }
    }

    private async Task DecryptAsync(string size)
    {
        var (_, ciphertext, key, expected) = _reads[size];
        await using var decrypting = new RecordDecryptingStream(new MemoryStream(ciphertext, writable: false), key, expected);
        while (await decrypting.ReadAsync(_sink) > 0)
        {
        }
    }

    private async Task DbWriteAsync()
    {
        await using var connection = new MySqlConnection(_scratch);
        await connection.OpenAsync();
        await using var insert = new MySqlCommand(
            "INSERT INTO AccessLog (RecordId, PatientAccount, ActorUserId, ActorAccount, Actor, DecidedAllowed, AttemptedAt, State, Attempts, NextAttemptAt) " +
            "VALUES (@r, @p, @u, @a, 'Doctor', 0, @t, 'Pending', 0, @t); SELECT LAST_INSERT_ID();", connection);
        insert.Parameters.AddWithValue("@r", _world.Record1MiB.ToString());
        insert.Parameters.AddWithValue("@p", _world.Patient.Account);
        insert.Parameters.AddWithValue("@u", _world.Outsider.Id);
        insert.Parameters.AddWithValue("@a", _world.Outsider.Account);
        insert.Parameters.AddWithValue("@t", DateTime.UtcNow);
        await insert.ExecuteScalarAsync();
    }

    private async Task EncryptAsync(int bytes)
    {
        await using var encrypting = new RecordEncryptingStream(new MemoryStream(_plaintext, 0, bytes, writable: false), RecordCipher.GenerateKey());
        using var output = new MemoryStream(CiphertextLength(bytes));
        await encrypting.CopyToAsync(output);
    }

    private async Task AddAsync(int bytes)
    {
        // Each add must store new blocks, as a record's fresh ciphertext does: change the first bytes.
        RandomNumberGenerator.Fill(_content.AsSpan(0, 32));
        await _app.Get<KuboRpcClient>().AddAsync(new MemoryStream(_content, 0, CiphertextLength(bytes), writable: false), "record");
    }

    private async Task ShareStoreAsync()
    {
        var id = Guid.CreateVersion7();
        _stored.Add(id);
        await _app.Get<IShareVault>().StoreAsync(id, _block, CancellationToken.None);
    }

    private Task TxRoundTripAsync() =>
        _app.Get<EhrAccessContract>().Sender.TransferAsync(_app.Get<IOptions<ChainOptions>>().Value.GetManagerKey(), EthKey.Generate().Address, 1);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
