using System.Globalization;
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

/// <summary>
/// One sample of each primitive, through the hosted app's own clients: what the <see cref="Primitives"/> stage times on
/// its own and what <see cref="Baselines"/> samples between the end-to-end requests, so both measure the same work.
/// Not for concurrent use (one read buffer).
/// </summary>
public sealed class PrimitiveOperations(BenchApp app, Stack stack, WorldState world)
{
    private readonly byte[] _sink = new byte[64 * 1024];

    /// <summary>The record format's size for a plaintext of <paramref name="bytes"/> (header, 16-byte tag per 64 KiB segment).</summary>
    public static int CiphertextLength(int bytes) => bytes + (bytes / (64 * 1024) + 1) * 16 + 64;

    /// <summary>The 1 MiB record's block hash as anchored on the chain.</summary>
    public async Task<byte[]> RecordHashAsync()
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetRecordHashAsync(world.Patient.Account, world.Record1MiB, CancellationToken.None)
            ?? throw new InvalidOperationException("The 1 MiB record has no hash on the chain.");
    }

    /// <summary>eth_call: hasAccess of the first (granted) doctor.</summary>
    public async Task EthCallAsync()
    {
        if (!await app.Get<EhrAccessContract>().HasAccessAsync(EthAddress.Parse(world.Patient.Account), EthAddress.Parse(world.Doctors[0].Account)))
        {
            throw new InvalidOperationException("hasAccess should be true for a granted doctor.");
        }
    }

    /// <summary>A transaction round trip: a transfer from the manager, sent and mined.</summary>
    public Task TxRoundTripAsync() =>
        app.Get<EhrAccessContract>().Sender.TransferAsync(app.Get<IOptions<ChainOptions>>().Value.GetManagerKey(), EthKey.Generate().Address, 1);

    /// <summary>The vault's rebuild of the 1 MiB record's block (checked against <paramref name="hash"/>).</summary>
    public Task<byte[]> ShareReadAsync(byte[] hash) => app.Get<IShareVault>().RebuildAsync(world.Record1MiB, hash, CancellationToken.None);

    public Task ShareStoreAsync(Guid recordId, byte[] block) => app.Get<IShareVault>().StoreAsync(recordId, block, CancellationToken.None);

    public Task ShareDestroyAsync(Guid recordId) => app.Get<IShareVault>().DestroyAsync(recordId, CancellationToken.None);

    /// <summary>A scratch database with the outbox's table shape (the real outbox stays untouched); its connection string.</summary>
    public async Task<string> CreateScratchAsync(string database)
    {
        await ExecuteAsync(stack.AppDb,
            $"CREATE DATABASE IF NOT EXISTS {database}; DROP TABLE IF EXISTS {database}.AccessLog; CREATE TABLE {database}.AccessLog LIKE AccessLog;");
        return new MySqlConnectionStringBuilder(stack.AppDb) { Database = database }.ConnectionString;
    }

    public Task DropScratchAsync(string database) => ExecuteAsync(stack.AppDb, $"DROP DATABASE IF EXISTS {database}");

    /// <summary>One DB write: the insert AccessGate makes per attempt, into the scratch table; the new row's id.</summary>
    public async Task<long> DbWriteAsync(string scratch)
    {
        await using var connection = new MySqlConnection(scratch);
        await connection.OpenAsync();
        await using var insert = new MySqlCommand(
            "INSERT INTO AccessLog (RecordId, PatientAccount, ActorUserId, ActorAccount, Actor, DecidedAllowed, AttemptedAt, State, Attempts, NextAttemptAt) " +
            "VALUES (@r, @p, @u, @a, 'Doctor', 0, @t, 'Pending', 0, @t); SELECT LAST_INSERT_ID();", connection);
        insert.Parameters.AddWithValue("@r", world.Record1MiB.ToString());
        insert.Parameters.AddWithValue("@p", world.Patient.Account);
        insert.Parameters.AddWithValue("@u", world.Outsider.Id);
        insert.Parameters.AddWithValue("@a", world.Outsider.Account);
        insert.Parameters.AddWithValue("@t", DateTime.UtcNow);
        return Convert.ToInt64(await insert.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The record cipher over the first <paramref name="bytes"/> of <paramref name="plaintext"/>; the ciphertext.</summary>
    public static async Task<byte[]> EncryptAsync(byte[] plaintext, int bytes, byte[] key)
    {
        await using var encrypting = new RecordEncryptingStream(new MemoryStream(plaintext, 0, bytes, writable: false), key);
        using var output = new MemoryStream(CiphertextLength(bytes));
        await encrypting.CopyToAsync(output);
        return output.ToArray();
    }

    public async Task DecryptAsync(byte[] ciphertext, byte[] key, ExpectedPlaintext expected)
    {
        await using var decrypting = new RecordDecryptingStream(new MemoryStream(ciphertext, writable: false), key, expected);
        while (await decrypting.ReadAsync(_sink) > 0)
        {
        }
    }

    /// <summary>IPFS add of the first <paramref name="length"/> bytes of <paramref name="content"/>, made new first.</summary>
    public Task<IpfsAddResult> AddAsync(byte[] content, int length)
    {
        // Each add must store new blocks, as a record's fresh ciphertext does: change the first bytes.
        RandomNumberGenerator.Fill(content.AsSpan(0, 32));
        return app.Get<KuboRpcClient>().AddAsync(new MemoryStream(content, 0, length, writable: false), "record");
    }

    /// <summary>IPFS cat of <paramref name="cid"/>, read to its end.</summary>
    public async Task CatAsync(string cid)
    {
        await using var stream = await app.Get<KuboRpcClient>().CatAsync(cid);
        while (await stream.ReadAsync(_sink) > 0)
        {
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
