using System.Globalization;
using EhrShare.Core.Access;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Testing;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace EhrShare.Web.Tests.SeveralInstances;

/// <summary>
/// Two instances of the real app (the built EhrShare.Web.dll, each an OS process of its own on a free port, nothing in
/// front) serving one deployment: one app database and share-node databases of their own on the test stack's MariaDB,
/// a contract of their own on the stack's anvil, and the stack's IPFS node. The databases are made empty here and set
/// up by the app's own <c>setup</c> command, as an operator would; no other host of the test run uses them (another
/// host's outbox would compete for the lock). Both instances start at once on the empty key ring. Disposing kills both
/// and drops the databases.
/// </summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    /// <summary>What the instance that takes the outbox lock logs (OutboxLeaderLock).</summary>
    public const string SendsTheAccessLog = "This instance sends the access log to the chain";

    /// <summary>The instances' <c>Outbox:PollInterval</c>: a standby tries the lock this often (and on every read it logs).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public const string AdminEmail = "admin@several.example.test";

    public const string AdminPassword = "Several-instances-9";

    private readonly SemaphoreSlim _adminSetUp = new(1, 1);
    private string? _adminAuthenticatorKey;

    /// <summary>The admin's authenticator key: set up once per deployment, by <paramref name="setUp"/> (the manager must use two-factor sign-in).</summary>
    public async Task<string> AdminAuthenticatorKeyAsync(Func<Task<string>> setUp)
    {
        await _adminSetUp.WaitAsync();
        try
        {
            return _adminAuthenticatorKey ??= await setUp();
        }
        finally
        {
            _adminSetUp.Release();
        }
    }

    private readonly string _name = "ehrshare_t_" + Guid.NewGuid().ToString("N")[..12];
    private readonly Dictionary<string, string> _settings = [];
    private readonly string _server = new MySqlConnectionStringBuilder(TestStack.AppDbConnectionString) { Database = "" }.ConnectionString;
    private readonly List<string> _databases = [];
    private readonly EhrAppProcess?[] _instances = new EhrAppProcess?[2];

    public EhrAppProcess A => _instances[0] ?? throw new InvalidOperationException("Instance A is not running.");

    public EhrAppProcess B => _instances[1] ?? throw new InvalidOperationException("Instance B is not running.");

    public string AppDbConnectionString => new MySqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;

    public IReadOnlyList<string> NodeConnectionStrings { get; private set; } = [];

    public EthAddress ContractAddress { get; private set; }

    public ulong DeployBlock { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            await CreateDatabaseAsync(_name);
            NodeConnectionStrings = [.. Enumerable.Range(1, TestStack.ShareNodeCount).Select(i =>
                new MySqlConnectionStringBuilder(_server) { Database = $"{_name}_n{i}" }.ConnectionString)];
            for (var i = 0; i < NodeConnectionStrings.Count; i++)
            {
                await CreateDatabaseAsync($"{_name}_n{i + 1}");
                _settings[$"ShareNodes__Nodes__{i}__ConnectionString"] = NodeConnectionStrings[i];
                _settings[$"ShareNodes__Nodes__{i}__Name"] = $"node-{i + 1}";
            }

            _settings["Database__ConnectionString"] = AppDbConnectionString;
            _settings["Outbox__PollInterval"] = PollInterval.ToString("c", CultureInfo.InvariantCulture);
            DeployBlock = await Rpc(sender => sender.Rpc.EthBlockNumberAsync());
            await SetUpAsync();
            var a = EhrAppProcess.StartAsync(_settings);
            var b = EhrAppProcess.StartAsync(_settings);
            try
            {
                await Task.WhenAll(a, b);
            }
            finally
            {
                // Whichever started is killed on dispose, also when the other did not.
                _instances[0] = a.IsCompletedSuccessfully ? a.Result : null;
                _instances[1] = b.IsCompletedSuccessfully ? b.Result : null;
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances.OfType<EhrAppProcess>())
        {
            await instance.DisposeAsync();
        }

        Array.Clear(_instances);
        foreach (var database in _databases)
        {
            await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS `{database}`");
        }
    }

    /// <summary>The other instance.</summary>
    public EhrAppProcess Other(EhrAppProcess instance) => instance == A ? B : A;

    /// <summary>The instance whose last word about the outbox lock is that it sends the access log.</summary>
    public async Task<EhrAppProcess> OutboxSenderAsync(TimeSpan timeout)
    {
        var a = A.Output.WaitForLineAsync(SendsTheAccessLog, timeout);
        var b = B.Output.WaitForLineAsync(SendsTheAccessLog, timeout);
        var first = await Task.WhenAny(a, b);
        await first; // a timeout says so
        return first == a ? A : B;
    }

    /// <summary>Kills <paramref name="instance"/> (SIGKILL) and returns when the process is gone.</summary>
    public async Task KillAsync(EhrAppProcess instance)
    {
        var slot = Array.IndexOf(_instances, instance);
        await instance.KillAsync();
        await instance.DisposeAsync();
        _instances[slot] = null;
    }

    /// <summary>Starts a new instance in the place of a killed one, if any (so later tests have two again).</summary>
    public async Task EnsureTwoRunningAsync()
    {
        for (var slot = 0; slot < _instances.Length; slot++)
        {
            _instances[slot] ??= await EhrAppProcess.StartAsync(_settings);
        }
    }

    /// <summary>The app database as the instances share it.</summary>
    public EhrDbContext NewDbContext() => new(new DbContextOptionsBuilder<EhrDbContext>()
        .UseMySql(AppDbConnectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion))
        .Options);

    /// <summary>The access-log entries (the outbox) of the given records, read from the shared app database.</summary>
    public async Task<List<AccessLogEntry>> AccessLogAsync(IReadOnlyCollection<Guid> recordIds)
    {
        await using var db = NewDbContext();
        return await db.AccessLog.AsNoTracking()
            .Where(e => e.RecordId != null && recordIds.Contains(e.RecordId.Value))
            .OrderBy(e => e.Id)
            .ToListAsync();
    }

    /// <summary>The contract's access events (AccessGranted, AccessDenied, OwnerAccess) about a patient.</summary>
    public async Task<List<EhrAccessEvent>> AccessEventsAsync(string patientAccount)
    {
        var events = await Rpc(sender => new EhrAccessContract(sender, ContractAddress)
            .GetEventsAsync(new EhrEventQuery { Patient = EthAddress.Parse(patientAccount), FromBlock = DeployBlock }));
        return [.. events.Where(e => e is AccessGrantedEvent or AccessDeniedEvent or OwnerAccessEvent)];
    }

    private async Task SetUpAsync()
    {
        var contractFile = Path.Combine(Path.GetTempPath(), $"{_name}-contract-address");
        try
        {
            var setup = new Dictionary<string, string>(_settings)
            {
                // A contract of their own: the patient addresses of a new app database (area 1, patient 1, …) are
                // taken on the stack's contract.
                ["Chain__ContractAddress"] = "",
                ["EHR_ADMIN_EMAIL"] = AdminEmail,
                ["EHR_ADMIN_PASSWORD"] = AdminPassword,
            };
            var (exit, output) = await EhrAppProcess.RunCommandAsync(["setup", "--contract-file", contractFile], setup, TimeSpan.FromMinutes(3));
            if (exit != 0)
            {
                throw new InvalidOperationException($"setup exited with {exit}:\n{output}");
            }

            ContractAddress = EthAddress.Parse((await File.ReadAllTextAsync(contractFile)).Trim());
            _settings["Chain__ContractAddress"] = ContractAddress.ToString();
        }
        finally
        {
            File.Delete(contractFile);
        }
    }

    private async Task CreateDatabaseAsync(string name)
    {
        await ExecuteAsync(_server, $"CREATE DATABASE `{name}`");
        _databases.Add(name);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Rpc<T>(Func<TransactionSender, Task<T>> call)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ChainOptions
        {
            RpcUrl = TestStack.ChainRpcUrl,
            ChainId = TestStack.ChainId,
            ManagerPrivateKey = TestStack.ManagerPrivateKey,
        });
        using var http = new HttpClient { BaseAddress = new Uri(TestStack.ChainRpcUrl), Timeout = TimeSpan.FromSeconds(10) };
        return await call(new TransactionSender(new EthRpcClient(http), new NonceManager(), new FeeEstimator(options, TimeProvider.System), options));
    }
}

/// <summary>
/// The test classes that run against the two instances: one at a time (the takeover test kills one and starts
/// another in its place).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SeveralInstancesCollection : ICollectionFixture<TwoInstancesFixture>
{
    public const string Name = "Several app instances";
}
