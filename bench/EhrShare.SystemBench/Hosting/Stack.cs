using MySqlConnector;

namespace EhrShare.SystemBench.Hosting;

/// <summary>
/// The bench stack's settings, from the environment <c>./ehr bench</c> exports (stack.env: the same keys the app reads).
/// </summary>
public sealed class Stack
{
    private Stack()
    {
    }

    public required string AppDb { get; init; }

    public required IReadOnlyList<string> ShareNodes { get; init; }

    public required string ChainRpcUrl { get; init; }

    public required string IpfsApiUrl { get; init; }

    public required string StackDir { get; init; }

    public int DbPort => (int)new MySqlConnectionStringBuilder(AppDb).Port;

    public int ChainPort => new Uri(ChainRpcUrl).Port;

    public int IpfsPort => new Uri(IpfsApiUrl).Port;

    public static Stack FromEnvironment()
    {
        static string Get(string key) => Environment.GetEnvironmentVariable(key) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{key} is not set: run the bench with ./ehr bench (it exports the bench stack's settings).");

        var nodes = new List<string>();
        for (var i = 0; Environment.GetEnvironmentVariable($"ShareNodes__Nodes__{i}__ConnectionString") is { Length: > 0 } node; i++)
        {
            nodes.Add(node);
        }

        return new Stack
        {
            AppDb = Get("Database__ConnectionString"),
            ShareNodes = nodes.Count >= 2 ? nodes : throw new InvalidOperationException("No share nodes in the environment (ShareNodes__Nodes__i__ConnectionString)."),
            ChainRpcUrl = Get("Chain__RpcUrl"),
            IpfsApiUrl = Get("Ipfs__ApiUrl"),
            StackDir = Get("EHR_STACK_DIR"),
        };
    }

    /// <summary>A connection string with its port replaced (to go through a counting proxy).</summary>
    public static string WithPort(string connectionString, int port) =>
        new MySqlConnectionStringBuilder(connectionString) { Port = (uint)port }.ConnectionString;
}
