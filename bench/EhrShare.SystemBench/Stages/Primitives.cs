using System.Diagnostics;
using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
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
        var ops = new PrimitiveOperations(app, stack, world);
        await ChainAsync(ops);
        await SharesAsync(ops);
        await DatabaseAsync(ops);
        await CipherAsync(ops);
        await IpfsAsync(ops);
    }

    private async Task ChainAsync(PrimitiveOperations ops)
    {
        await TimeAsync("eth_call", 300, 20, ops.EthCallAsync);
        await TimeAsync("tx_roundtrip", 60, 5, ops.TxRoundTripAsync);
    }

    private async Task SharesAsync(PrimitiveOperations ops)
    {
        var hash = await ops.RecordHashAsync();
        byte[] block = [];
        await TimeAsync("share_read", 200, 10, async () => block = await ops.ShareReadAsync(hash));
        results.Add(Section, "share_read", "block_bytes", block.Length, "B");
        var ids = new List<Guid>();
        await TimeAsync("share_store", 60, 5, () =>
        {
            var id = Guid.CreateVersion7();
            ids.Add(id);
            return ops.ShareStoreAsync(id, block);
        });
        foreach (var id in ids)
        {
            await ops.ShareDestroyAsync(id);
        }
    }

    private async Task DatabaseAsync(PrimitiveOperations ops)
    {
        // The write is the one AccessGate makes per attempt, into a scratch copy of the outbox's table.
        var scratch = await ops.CreateScratchAsync(ScratchDb);
        long lastId = 0;
        await TimeAsync("db_write", 300, 20, async () => lastId = await ops.DbWriteAsync(scratch));
        await TimeAsync("db_read", 300, 20, async () =>
        {
            await using var connection = new MySqlConnection(scratch);
            await connection.OpenAsync();
            await using var select = new MySqlCommand("SELECT State, NextAttemptAt FROM AccessLog WHERE Id = @id", connection);
            select.Parameters.AddWithValue("@id", lastId);
            await using var reader = await select.ExecuteReaderAsync();
            await reader.ReadAsync();
        });
        await ops.DropScratchAsync(ScratchDb);
    }

    private async Task CipherAsync(PrimitiveOperations ops)
    {
        foreach (var (bytes, name) in Sizes.Upload)
        {
            var plaintext = RandomNumberGenerator.GetBytes(bytes);
            var key = RecordCipher.GenerateKey();
            var iterations = Iterations(bytes, small: 200, large: 4);
            byte[] ciphertext = [];
            await TimeAsync("encrypt " + name, iterations, 3, async () => ciphertext = await PrimitiveOperations.EncryptAsync(plaintext, bytes, key));
            results.Add(Section, "encrypt " + name, "ciphertext_bytes", ciphertext.Length, "B");

            var expected = new ExpectedPlaintext(bytes, SHA256.HashData(plaintext));
            await TimeAsync("decrypt " + name, iterations, 3, () => ops.DecryptAsync(ciphertext, key, expected));

            using var gcm = new AesGcm(key, 16);
            var nonce = new byte[12];
            var tag = new byte[16];
            var output = new byte[bytes];
            await TimeAsync("aesgcm_oneshot " + name, iterations, 3, () =>
            {
                gcm.Encrypt(nonce, plaintext, output, tag);
                return Task.CompletedTask;
            });
        }
    }

    private async Task IpfsAsync(PrimitiveOperations ops)
    {
        foreach (var (bytes, name) in Sizes.Upload)
        {
            // Ciphertext-like content: random bytes of the size the record format gives for this plaintext.
            var content = RandomNumberGenerator.GetBytes(PrimitiveOperations.CiphertextLength(bytes));
            var iterations = Iterations(bytes, small: 60, large: 3);
            string cid = "";
            long dagSize = 0;
            await TimeAsync("ipfs_add " + name, iterations, 2, async () =>
            {
                var added = await ops.AddAsync(content, content.Length);
                cid = added.Cid;
                dagSize = added.Size;
            });
            results.Add(Section, "ipfs_add " + name, "dag_bytes", dagSize, "B");
            results.Add(Section, "ipfs_add " + name, "content_bytes", content.Length, "B");
            await TimeAsync("ipfs_cat " + name, iterations, 2, () => ops.CatAsync(cid));
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
