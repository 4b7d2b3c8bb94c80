using System.Diagnostics;
using System.Security.Cryptography;
using EhrShare.Core.Chain;
using EhrShare.Core.Records;
using EhrShare.Core.Records.Encryption;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// The building blocks of every operation, measured in the same run and the same process as the end-to-end figures,
/// through the app's own clients (resolved from the hosted app): the record cipher (AES-256-GCM in 64 KiB segments
/// plus SHA-256 of the plaintext) and a one-shot AesGcm for reference, IPFS add and cat, the share vault's store and
/// rebuild of a real record's block, an <c>eth_call</c> (hasAccess), a transaction round trip (a transfer, sent and
/// mined), and one app-database write shaped like the outbox's insert (and one read by key).
/// </summary>
public sealed class Primitives(BenchApp app, Stack stack, Results results, Progress progress)
{
    private const string Section = "primitive";
    private const string ScratchDb = "ehrshare_t_bench";

    public async Task RunAsync(WorldState world)
    {
        await ChainAsync(world);
        await SharesAsync(world);
        await DatabaseAsync(world);
        await CipherAsync();
        await IpfsAsync();
    }

    private async Task ChainAsync(WorldState world)
    {
        var contract = app.Get<EhrAccessContract>();
        var patient = EthAddress.Parse(world.Patient.Account);
        var doctor = EthAddress.Parse(world.Doctors[0].Account);
        await TimeAsync("eth_call", 300, 20, async () =>
        {
            if (!await contract.HasAccessAsync(patient, doctor))
            {
                throw new InvalidOperationException("hasAccess should be true for a granted doctor.");
            }
        });

        var manager = app.Get<IOptions<ChainOptions>>().Value.GetManagerKey();
        var to = EthKey.Generate().Address;
        await TimeAsync("tx_roundtrip", 60, 5, () => contract.Sender.TransferAsync(manager, to, 1));
    }

    private async Task SharesAsync(WorldState world)
    {
        var vault = app.Get<IShareVault>();
        byte[] hash;
        using (var scope = app.Services.CreateScope())
        {
            hash = await scope.ServiceProvider.GetRequiredService<IAccessLedger>().GetRecordHashAsync(world.Patient.Account, world.Record1MiB, CancellationToken.None)
                ?? throw new InvalidOperationException("The 1 MiB record has no hash on the chain.");
        }

        byte[] block = [];
        await TimeAsync("share_read", 200, 10, async () => block = await vault.RebuildAsync(world.Record1MiB, hash, CancellationToken.None));
        results.Add(Section, "share_read", "block_bytes", block.Length, "B");
        var ids = new List<Guid>();
        await TimeAsync("share_store", 60, 5, async () =>
        {
            var id = Guid.CreateVersion7();
            ids.Add(id);
            await vault.StoreAsync(id, block, CancellationToken.None);
        });
        foreach (var id in ids)
        {
            await vault.DestroyAsync(id, CancellationToken.None);
        }
    }

    private async Task DatabaseAsync(WorldState world)
    {
        // A scratch database with the outbox's own table shape: the write is the one AccessGate makes per attempt,
        // without touching the app's real outbox.
        var scratch = new MySqlConnectionStringBuilder(stack.AppDb) { Database = ScratchDb }.ConnectionString;
        await using (var admin = new MySqlConnection(stack.AppDb))
        {
            await admin.OpenAsync();
            await using var create = new MySqlCommand(
                $"CREATE DATABASE IF NOT EXISTS {ScratchDb}; DROP TABLE IF EXISTS {ScratchDb}.AccessLog; CREATE TABLE {ScratchDb}.AccessLog LIKE AccessLog;", admin);
            await create.ExecuteNonQueryAsync();
        }

        long lastId = 0;
        await TimeAsync("db_write", 300, 20, async () =>
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
            lastId = Convert.ToInt64(await insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        });

        await TimeAsync("db_read", 300, 20, async () =>
        {
            await using var connection = new MySqlConnection(scratch);
            await connection.OpenAsync();
            await using var select = new MySqlCommand("SELECT State, NextAttemptAt FROM AccessLog WHERE Id = @id", connection);
            select.Parameters.AddWithValue("@id", lastId);
            await using var reader = await select.ExecuteReaderAsync();
            await reader.ReadAsync();
        });

        await using var drop = new MySqlConnection(stack.AppDb);
        await drop.OpenAsync();
        await using var dropCommand = new MySqlCommand($"DROP DATABASE IF EXISTS {ScratchDb}", drop);
        await dropCommand.ExecuteNonQueryAsync();
    }

    private async Task CipherAsync()
    {
        foreach (var (bytes, name) in Sizes.Upload)
        {
            var plaintext = RandomNumberGenerator.GetBytes(bytes);
            var key = RecordCipher.GenerateKey();
            var iterations = Iterations(bytes, small: 200, large: 4);
            byte[] ciphertext = [];
            await TimeAsync("encrypt " + name, iterations, 3, async () =>
            {
                await using var encrypting = new RecordEncryptingStream(new MemoryStream(plaintext, writable: false), key);
                using var output = new MemoryStream(bytes + bytes / 16 + 1024);
                await encrypting.CopyToAsync(output);
                ciphertext = output.ToArray();
            });
            results.Add(Section, "encrypt " + name, "ciphertext_bytes", ciphertext.Length, "B");

            var expected = new ExpectedPlaintext(bytes, SHA256.HashData(plaintext));
            var sink = new byte[64 * 1024];
            await TimeAsync("decrypt " + name, iterations, 3, async () =>
            {
                await using var decrypting = new RecordDecryptingStream(new MemoryStream(ciphertext, writable: false), key, expected);
                while (await decrypting.ReadAsync(sink) > 0)
                {
                }
            });

            using var gcm = new AesGcm(key, 16);
            var nonce = new byte[12];
            var tag = new byte[16];
            var output2 = new byte[bytes];
            await TimeAsync("aesgcm_oneshot " + name, iterations, 3, () =>
            {
                gcm.Encrypt(nonce, plaintext, output2, tag);
                return Task.CompletedTask;
            });
        }
    }

    private async Task IpfsAsync()
    {
        var ipfs = app.Get<KuboRpcClient>();
        var sink = new byte[64 * 1024];
        foreach (var (bytes, name) in Sizes.Upload)
        {
            // Ciphertext-like content: random bytes of the size the record format gives for this plaintext.
            var content = RandomNumberGenerator.GetBytes(bytes + (bytes / (64 * 1024) + 1) * 16 + 64);
            var iterations = Iterations(bytes, small: 60, large: 3);
            string cid = "";
            long dagSize = 0;
            await TimeAsync("ipfs_add " + name, iterations, 2, async () =>
            {
                // Each add must store new blocks, as a record's fresh ciphertext does: change the first bytes.
                RandomNumberGenerator.Fill(content.AsSpan(0, 32));
                var added = await ipfs.AddAsync(new MemoryStream(content, writable: false), "record");
                cid = added.Cid;
                dagSize = added.Size;
            });
            results.Add(Section, "ipfs_add " + name, "dag_bytes", dagSize, "B");
            results.Add(Section, "ipfs_add " + name, "content_bytes", content.Length, "B");
            await TimeAsync("ipfs_cat " + name, iterations, 2, async () =>
            {
                await using var stream = await ipfs.CatAsync(cid);
                while (await stream.ReadAsync(sink) > 0)
                {
                }
            });
        }
    }

    private static int Iterations(int bytes, int small, int large) =>
        bytes <= 100 * 1024 ? small : bytes <= Sizes.OneMiB ? Math.Max(large, small / 4) : bytes <= 10 * Sizes.OneMiB ? Math.Max(large, 6) : large;

    private async Task TimeAsync(string name, int iterations, int warmup, Func<Task> action)
    {
        for (var i = 0; i < warmup; i++)
        {
            await action();
        }

        var samples = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            progress.Report($"{name} {i + 1}/{iterations}");
        }

        results.AddLatencies(Section, name, samples);
    }
}
