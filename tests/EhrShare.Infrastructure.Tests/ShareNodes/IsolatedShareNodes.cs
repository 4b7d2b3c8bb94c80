using System.Globalization;
using System.Security.Cryptography;
using EhrShare.Core.Records;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Sharing;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;

namespace EhrShare.Infrastructure.Tests.ShareNodes;

/// <summary>
/// A throw-away app database (<c>ehrshare_t_*</c>, migrated) and n throw-away share-node databases on the test
/// stack's MariaDB, so a scan sees exactly the records and shares a test made: whole-report assertions (clean,
/// orphans, counts) hold no matter what other tests do on the shared nodes. Dropped on dispose.
/// </summary>
internal sealed class IsolatedShareNodes : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private readonly Lazy<ServiceProvider> _services;

    private IsolatedShareNodes(string server, string name, int nodes)
    {
        _server = server;
        _name = name;
        _services = new(() => new ServiceCollection()
            .AddDbContext<EhrDbContext>(o => o.UseMySql(AppDbConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion)))
            .BuildServiceProvider());
        AppDbConnectionString = new MySqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        NodeConnectionStrings = [.. Enumerable.Range(1, nodes).Select(i =>
            new MySqlConnectionStringBuilder(server) { Database = $"{name}_n{i}" }.ConnectionString)];
    }

    public string AppDbConnectionString { get; }

    public IReadOnlyList<string> NodeConnectionStrings { get; }

    public string PatientUserId { get; } = Guid.NewGuid().ToString();

    public static async Task<IsolatedShareNodes> CreateAsync(int nodes = 5)
    {
        var server = new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = "" }.ConnectionString;
        var stack = new IsolatedShareNodes(server, "ehrshare_t_" + Guid.NewGuid().ToString("N")[..12], nodes);
        try
        {
            await ShareNodeTestKit.ExecuteAsync(server, $"CREATE DATABASE `{stack._name}`");
            await using (var db = stack.NewDbContext())
            {
                await db.Database.MigrateAsync();
                db.Users.Add(new ApplicationUser { Id = stack.PatientUserId, UserName = stack.PatientUserId, DisplayName = "Scan test patient" });
                await db.SaveChangesAsync();
            }

            for (var i = 0; i < nodes; i++)
            {
                await ShareNodeTestKit.ExecuteAsync(server, $"CREATE DATABASE `{stack._name}_n{i + 1}`");
                await ShareNodeSchema.EnsureCreatedAsync(stack.NodeConnectionStrings[i], CancellationToken.None);
            }

            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public EhrDbContext NewDbContext() => new(new DbContextOptionsBuilder<EhrDbContext>()
        .UseMySql(AppDbConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion))
        .Options);

    public ShareNodeOptions Options(int threshold = 3, IReadOnlyDictionary<int, string>? replace = null) =>
        ShareNodeTestKit.Options(
            [.. NodeConnectionStrings.Select((c, i) => replace?.GetValueOrDefault(i) ?? c)], threshold);

    public (ShareVault Vault, RecordedShareProblems Reports) Vault(int threshold = 3, IReadOnlyDictionary<int, string>? replace = null) =>
        ShareNodeTestKit.Vault(Options(threshold, replace));

    /// <summary>The monitor's reports, kept in this app database as the app keeps them.</summary>
    public ShareNodeReports Reports(ShareNodeOptions? options = null) =>
        new(ShareNodeTestKit.Wrap(options ?? Options()), _services.Value.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System);

    public async Task<ShareScanReport> ScanAsync(ShareNodeOptions? options = null)
    {
        options ??= Options();
        await using var db = NewDbContext();
        var reports = Reports(options);
        var report = await new ShareScan(db, ShareNodeTestKit.Wrap(options), reports, TimeProvider.System, NullLogger<ShareScan>.Instance)
            .RunAsync(CancellationToken.None);
        // Kept for the monitor (to the microsecond: the column's precision).
        var recorded = await reports.LastScanAsync(CancellationToken.None);
        Assert.NotNull(recorded);
        Assert.Equal((report.IsClean, ShareReportText.Summary(report)), (recorded.Clean, recorded.Summary));
        Assert.True((recorded.FinishedAt - report.FinishedAt).Duration() < TimeSpan.FromMilliseconds(1), $"{recorded.FinishedAt:O} recorded for {report.FinishedAt:O}");
        return report;
    }

    public async Task<ShareRepairReport> RepairAsync(ShareNodeOptions? options = null)
    {
        options ??= Options();
        await using var db = NewDbContext();
        var vault = ShareNodeTestKit.Vault(options).Vault;
        return await new ShareRepair(db, vault, TimeProvider.System, NullLogger<ShareRepair>.Instance).RunAsync(CancellationToken.None);
    }

    /// <summary>A record in the app database, with a random block stored on the nodes (unless told otherwise).</summary>
    public async Task<(Guid Id, byte[] Block)> AddRecordAsync(RecordState state = RecordState.Committed, bool storeShares = true, int size = 400)
    {
        var id = Guid.CreateVersion7();
        var block = RandomNumberGenerator.GetBytes(size);
        await using (var db = NewDbContext())
        {
            db.Records.Add(NewRecord(id, SHA256.HashData(block), state));
            await db.SaveChangesAsync();
        }

        if (storeShares)
        {
            await Vault().Vault.StoreAsync(id, block, CancellationToken.None);
        }

        return (id, block);
    }

    /// <summary>Many committed records at once: rows in one save, shares in one multi-row INSERT per node.</summary>
    public async Task<List<Guid>> AddManyRecordsAsync(int count, int size = 64)
    {
        var ids = new List<Guid>(count);
        var rows = NodeConnectionStrings.Select(_ => new List<(Guid, byte[])>(count)).ToList();
        await using (var db = NewDbContext())
        {
            for (var r = 0; r < count; r++)
            {
                var id = Guid.CreateVersion7();
                var block = RandomNumberGenerator.GetBytes(size);
                var shares = Shamir.Split(id, block, NodeConnectionStrings.Count, 3);
                for (var i = 0; i < shares.Length; i++)
                {
                    rows[i].Add((id, shares[i].ToBytes()));
                }

                db.Records.Add(NewRecord(id, SHA256.HashData(block), RecordState.Committed));
                ids.Add(id);
            }

            await db.SaveChangesAsync();
        }

        for (var i = 0; i < NodeConnectionStrings.Count; i++)
        {
            await using var connection = new MySqlConnection(NodeConnectionStrings[i]);
            await connection.OpenAsync();
            await using var command = new MySqlCommand { Connection = connection };
            var values = new List<string>(count);
            for (var r = 0; r < rows[i].Count; r++)
            {
                var p = r.ToString(CultureInfo.InvariantCulture);
                values.Add($"(@id{p}, {i + 1}, @s{p}, UTC_TIMESTAMP(6))");
                command.Parameters.AddWithValue("@id" + p, rows[i][r].Item1.ToByteArray(bigEndian: true));
                command.Parameters.AddWithValue("@s" + p, rows[i][r].Item2);
            }

            command.CommandText = "INSERT INTO shares (record_id, x, share, written_at) VALUES " + string.Join(", ", values);
            await command.ExecuteNonQueryAsync();
        }

        return ids;
    }

    public async Task SetStateAsync(Guid id, RecordState state)
    {
        await using var db = NewDbContext();
        await db.Records.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, state));
    }

    /// <summary>Settings for an app process pointed at these databases instead of the stack's.</summary>
    public Dictionary<string, string> AppSettings()
    {
        var settings = new Dictionary<string, string> { ["Database__ConnectionString"] = AppDbConnectionString };
        for (var i = 0; i < NodeConnectionStrings.Count; i++)
        {
            settings[$"ShareNodes__Nodes__{i}__ConnectionString"] = NodeConnectionStrings[i];
            settings[$"ShareNodes__Nodes__{i}__Name"] = $"node-{i + 1}";
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        if (_services.IsValueCreated)
        {
            await _services.Value.DisposeAsync();
        }

        await ShareNodeTestKit.ExecuteAsync(_server, $"DROP DATABASE IF EXISTS `{_name}`");
        for (var i = 0; i < NodeConnectionStrings.Count; i++)
        {
            await ShareNodeTestKit.ExecuteAsync(_server, $"DROP DATABASE IF EXISTS `{_name}_n{i + 1}`");
        }
    }

    private MedicalRecord NewRecord(Guid id, byte[] blockHash, RecordState state) => new()
    {
        Id = id,
        PatientUserId = PatientUserId,
        ProtectedDescription = "share scans never open the description"u8.ToArray(),
        ContentType = "text/plain",
        Size = 1,
        State = state,
        BlockHash = blockHash,
        CreatedAt = DateTimeOffset.UtcNow,
        CommittedAt = state == RecordState.Committed ? DateTimeOffset.UtcNow : null,
    };
}
