using System.Diagnostics;
using System.Text.Json;
using EhrShare.Core.Access;
using EhrShare.Core.Data;
using EhrShare.Core.Records;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace EhrShare.Web.Tests.Records.Support;

/// <summary>Looks at the real services behind an app, independently of the code under test where it can.</summary>
public static class StackProbe
{
    /// <summary>How many share rows each share node holds for the record, asked of each node's database directly.</summary>
    public static async Task<int[]> SharesPerNodeAsync(Guid recordId)
    {
        var counts = new int[TestStack.ShareNodeCount];
        for (var i = 0; i < counts.Length; i++)
        {
            await using var connection = new MySqlConnection(TestStack.ShareNodeConnectionString(i));
            await connection.OpenAsync();
            await using var command = new MySqlCommand("SELECT COUNT(*) FROM shares WHERE record_id = @id", connection);
            command.Parameters.AddWithValue("@id", recordId.ToByteArray(bigEndian: true));
            counts[i] = Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public static async Task AssertNoSharesAsync(IEnumerable<Guid> recordIds)
    {
        foreach (var id in recordIds)
        {
            var counts = await SharesPerNodeAsync(id);
            Assert.True(counts.All(c => c == 0), $"record {id} still has shares on the nodes: [{string.Join(", ", counts)}]");
        }
    }

    public static async Task AssertSharesOnEveryNodeAsync(Guid recordId)
    {
        var counts = await SharesPerNodeAsync(recordId);
        Assert.True(counts.All(c => c == 1), $"record {recordId}: expected one share per node, found [{string.Join(", ", counts)}]");
    }

    public static KuboRpcClient Ipfs(EhrAppFactory app) => app.Services.GetRequiredService<KuboRpcClient>();

    public static async Task<IReadOnlySet<string>> PinsAsync(EhrAppFactory app) => (await Ipfs(app).PinLsAsync()).ToHashSet();

    public static async Task AssertNotPinnedAsync(EhrAppFactory app, IEnumerable<string> cids)
    {
        var pins = await PinsAsync(app);
        var left = cids.Where(pins.Contains).ToList();
        Assert.True(left.Count == 0, $"still pinned on the IPFS node: {string.Join(", ", left)}");
    }

    /// <summary>The ciphertext behind <paramref name="cid"/>, fetched from the node into a temporary file.</summary>
    public static async Task<string> CatToFileAsync(EhrAppFactory app, string cid)
    {
        var path = Path.Combine(Path.GetTempPath(), "ehrshare-records-" + Guid.NewGuid().ToString("N"));
        await using var source = await Ipfs(app).CatAsync(cid);
        await using var file = File.Create(path);
        await source.CopyToAsync(file);
        return path;
    }

    /// <summary>The CIDv0 Debian's <c>ipfs_cid</c> (an implementation independent of the node and of the app) computes for a file.</summary>
    public static async Task<string> IpfsCidOfFileAsync(string path)
    {
        var start = new ProcessStartInfo("ipfs_cid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ipfs_cid did not start (apt-get install ipfs-cid).");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ipfs_cid failed: {await errors}");
        using var json = JsonDocument.Parse(await output);
        return json.RootElement.GetProperty("CIDv0").GetString()!;
    }

    public static async Task<MedicalRecord?> RowAsync(EhrAppFactory app, Guid recordId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IEhrDbContext>().Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == recordId);
    }

    public static async Task<List<MedicalRecord>> RowsOfAsync(EhrAppFactory app, string patientUserId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IEhrDbContext>().Records.AsNoTracking()
            .Where(r => r.PatientUserId == patientUserId).ToListAsync();
    }

    /// <summary>
    /// The records <paramref name="vault"/> saw after its first <paramref name="since"/>, less other patients' records.
    /// Every test app shares one database, so an app's background reconciler may finish another test's removal (or
    /// rollback) through this app's vault while a test watches it.
    /// </summary>
    public static async Task<List<Guid>> SeenForAsync(EhrAppFactory app, VaultTap vault, int since, string patientUserId)
    {
        var ids = vault.Seen.Skip(since).ToList();
        using var scope = app.Services.CreateScope();
        var others = await scope.ServiceProvider.GetRequiredService<IEhrDbContext>().Records.AsNoTracking()
            .Where(r => ids.Contains(r.Id) && r.PatientUserId != patientUserId).Select(r => r.Id).ToListAsync();
        return ids.Except(others).ToList();
    }

    public static async Task<List<AccessLogEntry>> AccessLogOfAsync(EhrAppFactory app, Guid recordId)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IEhrDbContext>().AccessLog.AsNoTracking()
            .Where(e => e.RecordId == recordId).OrderBy(e => e.Id).ToListAsync();
    }
}
