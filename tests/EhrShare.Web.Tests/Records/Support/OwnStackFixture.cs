using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace EhrShare.Web.Tests.Records.Support;

/// <summary>
/// An app whose chain, IPFS node and app database are the test's own: an anvil with its own EhrAccess contract, an
/// IPFS dev node, and a throw-away database (<c>ehrshare_t_…</c>) on the stack's MariaDB, migrated with the app's
/// migrations. Only the share nodes are the stack's (records never share ids). So a test can stop the chain or IPFS,
/// restart the app, move time forward, and look at every record row and pin, without disturbing other tests or being
/// disturbed by them.
/// The background reconciler is off: tests run <c>ReconcileRecords</c> themselves.
/// </summary>
public sealed class OwnStackFixture : IAsyncLifetime
{
    public AnvilNode Chain { get; private set; } = null!;

    public IpfsDevNodeProcess Ipfs { get; private set; } = null!;

    public string Database { get; } = "ehrshare_t_" + Guid.NewGuid().ToString("N")[..12];

    public string ContractAddress { get; private set; } = "";

    public BlobTap Blobs { get; } = new();

    public VaultTap Vault { get; } = new();

    /// <summary>The app's clock: <see cref="MoveTimeAsync"/> moves it together with the chain's.</summary>
    public ShiftedTime Clock { get; } = new();

    public EhrAppFactory App { get; private set; } = null!;

    /// <summary>
    /// Moves time forward by <paramref name="by"/> for the app and its chain together (the chain mines a block at the
    /// new time), as if that much time had passed: what expires by the chain's block time or by the app's clock does.
    /// </summary>
    public async Task MoveTimeAsync(TimeSpan by)
    {
        var whole = TimeSpan.FromSeconds(Math.Ceiling(by.TotalSeconds));
        Clock.Advance(whole);
        await Chain.IncreaseTimeAsync(whole);
    }

    public async Task InitializeAsync()
    {
        Chain = await AnvilNode.StartAsync();
        ContractAddress = await Chain.DeployContractAsync();
        Ipfs = await IpfsDevNodeProcess.StartAsync();
        await ExecuteAsync($"CREATE DATABASE `{Database}`");
        var options = new DbContextOptionsBuilder<EhrDbContext>()
            .UseMySql(ConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion))
            .Options;
        await using (var db = new EhrDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        App = NewApp();
        AssertOwnStack();

        // What the app's setup command does after migrating: the roles, and the admin (with a password of the test's).
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EhrShare.Web.Hosting.AdminSeeder>().SeedAsync(null, TextWriter.Null, CancellationToken.None);
    }

    /// <summary>Stops the app (as a crash or a deployment would) and starts a new one on the same database and services.</summary>
    public async Task RestartAppAsync()
    {
        await App.DisposeAsync();
        App = NewApp();
        AssertOwnStack();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Ipfs.DisposeAsync();
        await Chain.DisposeAsync();
        await ExecuteAsync($"DROP DATABASE IF EXISTS `{Database}`");
    }

    private string ConnectionString => new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = Database }.ConnectionString;

    private EhrAppFactory NewApp() => new(
        new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = ConnectionString,
            ["Chain:RpcUrl"] = Chain.Url,
            ["Chain:ContractAddress"] = ContractAddress,
            ["Chain:RequestTimeout"] = "00:00:02",
            ["Chain:ReceiptTimeout"] = "00:00:20",
            ["Chain:ReceiptPollInterval"] = "00:00:00.050",
            ["Ipfs:ApiUrl"] = Ipfs.ApiUrl,
            ["Ipfs:RequestTimeout"] = "00:00:05",
            ["Ipfs:StreamIdleTimeout"] = "00:00:10",
            ["Outbox:PollInterval"] = "00:00:00.500",
            ["Outbox:InitialBackoff"] = "00:00:00.200",
            ["Outbox:MaxBackoff"] = "00:00:01",
            ["Outbox:ResendAfter"] = "00:00:02",
            ["EHR_ADMIN_PASSWORD"] = "Own-stack-manager-" + Guid.NewGuid().ToString("N")[..8],
        },
        services => services.AddTaps(Blobs, Vault).WithoutBackgroundReconciler().AddSingleton<TimeProvider>(Clock));

    /// <summary>The app must really be on this fixture's services, or the tests would disturb the shared stack.</summary>
    private void AssertOwnStack()
    {
        var services = App.Services;
        Assert.Equal(Chain.Url, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EhrShare.Infrastructure.Ethereum.ChainOptions>>().Value.RpcUrl);
        Assert.Equal(Ipfs.ApiUrl, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EhrShare.Infrastructure.Ipfs.IpfsOptions>>().Value.ApiUrl);
        using var scope = services.CreateScope();
        Assert.Equal(Database, scope.ServiceProvider.GetRequiredService<EhrDbContext>().Database.GetDbConnection().Database);
    }

    private static async Task ExecuteAsync(string sql)
    {
        var server = new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = "" };
        await using var connection = new MySqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
