using System.Security.Cryptography;
using EhrShare.Core.Records.Encryption;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Sharing;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using MySqlConnector;

namespace EhrShare.SystemBench.Stages;

/// <summary>
/// What a record costs to keep. Per share node: the stored share of a record's block (header, payload, checksum) as
/// read from the node, and the node's InnoDB bytes per row; against full replication, where every node would keep the
/// whole block. Also the prime-field variant's share size for the same block. For the whole record: plaintext, the
/// record format's ciphertext, and the IPFS DAG that holds it.
/// </summary>
public sealed class Storage(BenchApp app, Stack stack, Results results, Progress progress)
{
    private const string Section = "storage";

    public async Task RunAsync(WorldState world)
    {
        var n = stack.ShareNodes.Count;
        long blockBytes = 0;
        for (var i = 0; i < n; i++)
        {
            await using var connection = new MySqlConnection(stack.ShareNodes[i]);
            await connection.OpenAsync();
            await using (var one = new MySqlCommand("SELECT LENGTH(share) FROM shares WHERE record_id = @id", connection))
            {
                one.Parameters.AddWithValue("@id", world.Record1MiB.ToByteArray(bigEndian: true));
                var shareBytes = Convert.ToInt64(await one.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                results.Add(Section, $"node-{i + 1}", "share_bytes", shareBytes, "B");
                blockBytes = shareBytes - 40; // the GF(2^8) share is the block's length plus a 40-byte header and checksum
            }

            await using var all = new MySqlCommand(
                "SELECT COUNT(*), AVG(LENGTH(share)), (SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES " +
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'shares') FROM shares", connection);
            await using var reader = await all.ExecuteReaderAsync();
            await reader.ReadAsync();
            var rows = reader.GetInt64(0);
            results.Add(Section, $"node-{i + 1}", "rows", rows, "");
            results.Add(Section, $"node-{i + 1}", "avg_share_bytes", reader.GetDouble(1), "B");
            results.Add(Section, $"node-{i + 1}", "innodb_bytes_per_row", reader.GetInt64(2) / (double)Math.Max(1, rows), "B");
        }

        results.Add(Section, "block", "block_bytes", blockBytes, "B");
        results.Add(Section, "block", "nodes", n, "");
        results.Add(Section, "block", "threshold", Environment.GetEnvironmentVariable("ShareNodes__Threshold") ?? "3");
        var block = RandomNumberGenerator.GetBytes((int)blockBytes);
        var prime = Shamir.Split(Guid.NewGuid(), block, n, 3, ShareField.Prime127);
        results.Add(Section, "block", "prime127_share_bytes", prime[0].ToBytes().Length, "B");

        var ipfs = app.Get<KuboRpcClient>();
        foreach (var (bytes, name) in Sizes.Upload)
        {
            progress.Report($"record storage {name}");
            var plaintext = RandomNumberGenerator.GetBytes(bytes);
            using var ciphertext = new MemoryStream();
            await using (var encrypting = new RecordEncryptingStream(new MemoryStream(plaintext), RecordCipher.GenerateKey()))
            {
                await encrypting.CopyToAsync(ciphertext);
            }

            ciphertext.Position = 0;
            var added = await ipfs.AddAsync(ciphertext, "record", new IpfsAddOptions { Pin = false });
            results.Add(Section, "record " + name, "plaintext_bytes", bytes, "B");
            results.Add(Section, "record " + name, "ciphertext_bytes", ciphertext.Length, "B");
            results.Add(Section, "record " + name, "ipfs_dag_bytes", added.Size, "B");
        }
    }
}
