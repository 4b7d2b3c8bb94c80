namespace EhrShare.Testing;

/// <summary>
/// The services of the test stack that <c>./ehr test</c> (or <c>./ehr stack up test</c>) started: a private MariaDB,
/// anvil and the IPFS dev node. Settings come from the environment (the same keys the app reads, e.g.
/// <c>Database__ConnectionString</c>) and, when a test is run outside <c>./ehr test</c>, from
/// <c>.data/test/stack.env</c>, which the stack script writes.
/// </summary>
public static class TestStack
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Settings = new(Load);

    /// <summary>The repository root (the folder holding EhrShare.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The test stack's data folder (<c>.data/test</c> unless <c>EHR_STACK_DIR</c> says otherwise).</summary>
    public static string StackDir => Get("EHR_STACK_DIR");

    public static string AppDbConnectionString => Get("Database__ConnectionString");

    /// <summary>The key that encrypts the test stack's Data Protection key ring (hosts on its app database need it).</summary>
    public static string KeyEncryptionKey => Get("DataProtection__KeyEncryptionKey");

    public static string IpfsApiUrl => Get("Ipfs__ApiUrl");

    public static string ChainRpcUrl => Get("Chain__RpcUrl");

    public static long ChainId => long.Parse(Get("Chain__ChainId"), System.Globalization.CultureInfo.InvariantCulture);

    public static string ContractAddress => Get("Chain__ContractAddress");

    /// <summary>Anvil's first dev key (public knowledge, development only): the manager account on the test chain.</summary>
    public static string ManagerPrivateKey => Get("Chain__ManagerPrivateKey");

    public static int ShareNodeCount => int.Parse(Get("EHR_SHARE_NODES"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Connection string of share node <paramref name="index"/> (0-based), each its own database.</summary>
    public static string ShareNodeConnectionString(int index) => Get($"ShareNodes__Nodes__{index}__ConnectionString");

    public static string AnvilPath => Path.Combine(RepoRoot, "tools/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");

    /// <summary>
    /// The arguments of a private anvil on loopback: two funded accounts, automine unless a block time is given, and
    /// recent states kept in memory only (<c>--prune-history</c>; otherwise anvil spills old states to
    /// ~/.foundry/anvil/tmp and never removes them: gigabytes per long run). As scripts/stack.sh starts the stack's.
    /// </summary>
    public static IReadOnlyList<string> AnvilArguments(int port, long chainId, int? blockTimeSeconds = null)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        List<string> args =
        [
            "--host", "127.0.0.1", "--port", port.ToString(invariant), "--chain-id", chainId.ToString(invariant),
            "--accounts", "2", "--prune-history", "256",
        ];
        if (blockTimeSeconds is { } seconds)
        {
            args.AddRange(["--block-time", seconds.ToString(invariant)]);
        }

        return args;
    }

    public static string CastPath => Path.Combine(RepoRoot, "tools/chain/node_modules/@foundry-rs/cast-linux-amd64/bin/cast");

    /// <summary>The IPFS dev node's entry script, for tests that start and stop a node of their own.</summary>
    public static string IpfsDevNodeScript => Path.Combine(RepoRoot, "tools/ipfs-dev-node/server.mjs");

    /// <summary>
    /// The stack's settings (from <c>stack.env</c>), overlaid with this process's environment: what an app started by
    /// a test needs in its environment to run exactly as under <c>./ehr test</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> All => Settings.Value;

    /// <summary>The seeded admin's email and password (<c>secrets/admin-password</c>: two lines, written by setup).</summary>
    public static (string Email, string Password) AdminCredentials()
    {
        var file = Path.Combine(StackDir, "secrets", "admin-password");
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        return lines.Length >= 2 && lines[0].Length > 0 && lines[1].Length > 0
            ? (lines[0].Trim(), lines[1].TrimEnd('\r'))
            : throw new InvalidOperationException(
                $"{file} does not hold the admin's email and password. Run ./ehr test, or the app's setup command against the stack.");
    }

    /// <summary>A setting of the test stack; fails with a message that says how to start the stack.</summary>
    public static string Get(string key) =>
        Settings.Value.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new InvalidOperationException(
                $"Test stack setting '{key}' is not set. Run the tests with ./ehr test, or start the stack with " +
                "'./ehr stack up test' first.");

    /// <summary>
    /// Copies the stack's settings into this process's environment (keys that are not already set), so an app
    /// hosted in the test process (WebApplicationFactory) configures itself exactly as under <c>./ehr test</c>.
    /// </summary>
    public static void ExportToEnvironment()
    {
        foreach (var (key, value) in Settings.Value)
        {
            if (Environment.GetEnvironmentVariable(key) is null)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }

    public static bool TryGet(string key, out string value)
    {
        if (Settings.Value.TryGetValue(key, out var v) && v.Length > 0)
        {
            value = v;
            return true;
        }

        value = "";
        return false;
    }

    private static Dictionary<string, string> Load()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var stackDir = Environment.GetEnvironmentVariable("EHR_STACK_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(RepoRoot, ".data", "test");
        var envFile = Path.Combine(stackDir, "stack.env");
        if (File.Exists(envFile))
        {
            foreach (var (key, value) in StackEnvFile.Parse(File.ReadAllLines(envFile)))
            {
                settings[key] = value;
            }
        }

        settings["EHR_STACK_DIR"] = stackDir;
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            settings[(string)e.Key] = (string?)e.Value ?? "";
        }

        return settings;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EhrShare.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (EhrShare.sln) above " + AppContext.BaseDirectory);
    }
}
