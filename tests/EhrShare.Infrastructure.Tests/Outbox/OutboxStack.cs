using System.Globalization;
using System.Security.Cryptography;
using EhrShare.Core.Access;
using EhrShare.Core.Chain;
using EhrShare.Core.Data;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ethereum.Transactions;
using EhrShare.Infrastructure.Outbox;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.Tests.Ethereum;
using EhrShare.Infrastructure.Tests.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EhrShare.Infrastructure.Tests.Outbox;

/// <summary>
/// What the outbox runs on: a private anvil (which the tests stop and bring back on the same port with its state, as a
/// node that went down and came back), the EhrAccess contract, and throw-away app databases
/// (<c>ehrshare_t_…</c>) on the test stack's MariaDB, migrated with the app's migrations. Hosts are built as the app
/// builds itself: AddPersistence, AddChain, AddAccessLogOutbox.
/// </summary>
public sealed class OutboxStack : IAsyncLifetime
{
    private readonly List<ThrowawayAppDatabase> _databases = [];
    private readonly string _keyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public AnvilProcess Anvil { get; private set; } = null!;

    public int ChainPort { get; private set; }

    public string ChainUrl => $"http://127.0.0.1:{ChainPort}";

    public EthAddress ContractAddress { get; private set; }

    public ulong DeployBlock { get; private set; }

    public async Task InitializeAsync()
    {
        Anvil = await AnvilProcess.StartAsync();
        ChainPort = Anvil.Port;
        var (http, sender) = Client(new NonceManager());
        using (http)
        {
            var options = Microsoft.Extensions.Options.Options.Create(ChainOptions());
            ContractAddress = await new ContractDeployer(sender, options).EnsureDeployedAsync(null);
            DeployBlock = await sender.Rpc.EthBlockNumberAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await Anvil.DisposeAsync();
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    public ChainOptions ChainOptions() => new()
    {
        RpcUrl = ChainUrl,
        ChainId = AnvilProcess.ChainId,
        ManagerPrivateKey = AnvilProcess.DevKey0,
        ContractAddress = ContractAddress.IsZero ? null : ContractAddress.ToString(),
        RequestTimeout = TimeSpan.FromSeconds(2),
        ReceiptTimeout = TimeSpan.FromSeconds(20),
        ReceiptPollInterval = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>A client of the chain outside any host (to check what landed, or to send as a test).</summary>
    public (HttpClient Http, TransactionSender Sender) Client(NonceManager nonces)
    {
        var options = Microsoft.Extensions.Options.Options.Create(ChainOptions());
        var http = new HttpClient { BaseAddress = new Uri(ChainUrl), Timeout = TimeSpan.FromSeconds(10) };
        var rpc = new EthRpcClient(http);
        return (http, new TransactionSender(rpc, nonces, new FeeEstimator(options), options));
    }

    /// <summary>A new, migrated, empty app database; dropped when the fixture ends.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var database = await ThrowawayAppDatabase.CreateAsync();
        _databases.Add(database);
        return database.Name;
    }

    public static string ConnectionString(string database) => ThrowawayAppDatabase.ConnectionStringOf(database);

    /// <summary>An app host (persistence, chain, outbox) on <paramref name="database"/>, started.</summary>
    public async Task<IHost> StartHostAsync(string database, Dictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var o = ChainOptions();
        var config = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = ConnectionString(database),
            ["DataProtection:KeyEncryptionKey"] = _keyEncryptionKey,
            ["Chain:RpcUrl"] = o.RpcUrl,
            ["Chain:ChainId"] = o.ChainId.ToString(CultureInfo.InvariantCulture),
            ["Chain:ManagerPrivateKey"] = o.ManagerPrivateKey,
            ["Chain:ContractAddress"] = o.ContractAddress,
            ["Chain:RequestTimeout"] = "00:00:02",
            ["Chain:ReceiptTimeout"] = "00:00:20",
            ["Chain:ReceiptPollInterval"] = "00:00:00.050",
            ["Outbox:PollInterval"] = "00:00:00.500",
            ["Outbox:InitialBackoff"] = "00:00:00.200",
            ["Outbox:MaxBackoff"] = "00:00:01",
            ["Outbox:ResendAfter"] = "00:00:02",
            ["Outbox:MaxConcurrency"] = "8",
        };
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddPersistence();
        builder.AddChain();
        builder.AddAccessLogOutbox();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Dumps the chain's state and kills the node: clients now find nothing on its port.</summary>
    public async Task<string> StopChainAsync()
    {
        var state = await Anvil.DumpStateAsync();
        await Anvil.DisposeAsync();
        return state;
    }

    /// <summary>Starts the node again on the same port with the state it had (its pool of pending transactions is gone).</summary>
    public async Task StartChainAsync(string state)
    {
        Anvil = await AnvilProcess.StartAsync(null, ChainPort);
        await Anvil.LoadStateAsync(state);
    }

    // ------------------------------------------------------------------ users and entries

    /// <summary>An approved user as the admin's approval makes one: Identity user, chain account (saved), funded, registered.</summary>
    public static async Task<Actor> NewUserAsync(IHost host, LedgerRole role, PatientAddress? address = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IEhrDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<IAccessLedger>();
        var id = Guid.NewGuid().ToString();
        db.Users.Add(new ApplicationUser { Id = id, UserName = id + "@test", Email = id + "@test", DisplayName = role + " " + id[..8], Status = UserStatus.Approved });
        var account = scope.ServiceProvider.GetRequiredService<IAccountKeys>().Create(id);
        db.ChainAccounts.Add(account);
        await db.SaveChangesAsync();
        await ledger.FundAsync(account.Address, default);
        if (role == LedgerRole.Patient)
        {
            await ledger.RegisterPatientAsync(account.Address, address ?? new PatientAddress(9, (uint)Interlocked.Increment(ref _nextPid)), default);
        }
        else
        {
            await ledger.RegisterDoctorAsync(account.Address, default);
        }

        return new Actor(id, account);
    }

    private static int _nextPid;

    public static AccessLogEntry DoctorRead(Actor doctor, Actor patient, Guid? recordId) => new()
    {
        RecordId = recordId,
        PatientAccount = patient.Address,
        ActorUserId = doctor.UserId,
        ActorAccount = doctor.Address,
        Actor = AccessActor.Doctor,
        DecidedAllowed = true,
        AttemptedAt = DateTimeOffset.UtcNow,
        NextAttemptAt = DateTimeOffset.UtcNow,
    };

    public static AccessLogEntry OwnRead(Actor patient, Guid? recordId) => new()
    {
        RecordId = recordId,
        PatientAccount = patient.Address,
        ActorUserId = patient.UserId,
        ActorAccount = patient.Address,
        Actor = AccessActor.Owner,
        DecidedAllowed = true,
        AttemptedAt = DateTimeOffset.UtcNow,
        NextAttemptAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Saves entries as the read use case does (one save), through the host's DbContext.</summary>
    public static async Task<List<long>> WriteAsync(IHost host, params AccessLogEntry[] entries)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IEhrDbContext>();
        db.AccessLog.AddRange(entries);
        await db.SaveChangesAsync();
        return [.. entries.Select(e => e.Id)];
    }

    /// <summary>Reads entries straight from the database (no host needed).</summary>
    public static async Task<List<AccessLogEntry>> ReadAsync(string database, IEnumerable<long> ids)
    {
        var wanted = ids.ToList();
        var options = new DbContextOptionsBuilder<EhrDbContext>()
            .UseMySql(ConnectionString(database), ServerVersion.Parse(new DatabaseOptions().ServerVersion))
            .Options;
        await using var db = new EhrDbContext(options);
        var all = await db.AccessLog.AsNoTracking().ToListAsync();
        return [.. all.Where(e => wanted.Contains(e.Id)).OrderBy(e => e.Id)];
    }

    /// <summary>Waits until <paramref name="done"/> holds for the entries, or fails showing where each one is.</summary>
    public static async Task<List<AccessLogEntry>> WaitForAsync(string database, IEnumerable<long> ids, Func<AccessLogEntry, bool> done, TimeSpan timeout, string what, CapturedLogs? logs = null)
    {
        var wanted = ids.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var entries = await ReadAsync(database, wanted);
            if (entries.Count == wanted.Count && entries.All(done))
            {
                return entries;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout} waiting for {what}:\n" + string.Join("\n", entries.Where(e => !done(e)).Select(e =>
                    $"  #{e.Id} {e.Actor} {e.State} attempts={e.Attempts} tx={e.TransactionHash} next={e.NextAttemptAt:O} error={e.LastError}")) +
                    (logs is null ? "" : "\nLog:\n" + logs));
            }

            await Task.Delay(100);
        }
    }

    public static Task<List<AccessLogEntry>> WaitConfirmedAsync(string database, IEnumerable<long> ids, int seconds = 60, CapturedLogs? logs = null) =>
        WaitForAsync(database, ids, e => e.State == OutboxState.Confirmed, TimeSpan.FromSeconds(seconds), "every entry confirmed", logs);

    /// <summary>The contract's access events about a patient: AccessGranted, AccessDenied and OwnerAccess.</summary>
    public async Task<List<EhrAccessEvent>> AccessEventsAsync(string patient)
    {
        var (http, sender) = Client(new NonceManager());
        using (http)
        {
            var contract = new EhrAccessContract(sender, ContractAddress);
            var events = await contract.GetEventsAsync(new EhrEventQuery { Patient = EthAddress.Parse(patient), FromBlock = DeployBlock });
            return [.. events.Where(e => e is AccessGrantedEvent or AccessDeniedEvent or OwnerAccessEvent)];
        }
    }

    /// <summary>How many access events the chain holds for this entry (its reader, patient and record): exactly one when all is well.</summary>
    public static int CountFor(IEnumerable<EhrAccessEvent> events, AccessLogEntry entry) => events.Count(e => e switch
    {
        AccessGrantedEvent g => entry.Actor == AccessActor.Doctor && g.Doctor.ToString() == entry.ActorAccount && g.RecordId == entry.RecordId,
        AccessDeniedEvent d => entry.Actor == AccessActor.Doctor && d.Doctor.ToString() == entry.ActorAccount && d.RecordId == entry.RecordId,
        OwnerAccessEvent o => entry.Actor == AccessActor.Owner && o.Patient.ToString() == entry.ActorAccount && o.RecordId == entry.RecordId,
        _ => false,
    });
}

/// <summary>A user with a chain account, as the outbox sees them.</summary>
public sealed record Actor(string UserId, ChainAccount Account)
{
    public string Address => Account.Address;
}
