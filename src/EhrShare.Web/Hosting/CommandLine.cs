using EhrShare.Infrastructure.Chain.Index;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EhrShare.Web.Hosting;

/// <summary>
/// Operator commands of the app, run instead of serving when the first argument names one:
/// <c>setup</c> (everything below, in order), <c>deploy-contract</c>, <c>migrate</c>, <c>seed-admin</c>, and
/// <c>shares scan|repair</c>, <c>chain reindex</c>. They use the app's own configuration, so they work the same against the ./ehr stacks
/// and against servers a user already has.
/// </summary>
public static class CommandLine
{
    private static readonly string[] Verbs = ["setup", "migrate", "seed-admin", "deploy-contract", "shares", "chain"];

    /// <summary>Exit code of <c>shares scan|repair</c> when the scan found problems or the repair left some.</summary>
    public const int SharesNeedAttention = 3;

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunCommandAsync(this WebApplication app, string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EhrShare.CommandLine");
        try
        {
            // Fail on a missing setting before touching anything, naming the setting.
            app.Services.GetService<IStartupValidator>()?.Validate();
            await using var scope = app.Services.CreateAsyncScope();
            var services = scope.ServiceProvider;
            switch (args[0])
            {
                case "migrate":
                    await MigrateAsync(services, logger, cancel.Token);
                    break;
                case "seed-admin":
                    await services.GetRequiredService<AdminSeeder>().SeedAsync(Option(args, "--admin-password-file"), Console.Out, cancel.Token);
                    break;
                case "deploy-contract":
                    await DeployContractAsync(services, Option(args, "--contract-file"), cancel.Token);
                    break;
                case "setup":
                    await DeployContractAsync(services, Option(args, "--contract-file"), cancel.Token);
                    await MigrateAsync(services, logger, cancel.Token);
                    await services.GetRequiredService<AdminSeeder>().SeedAsync(Option(args, "--admin-password-file"), Console.Out, cancel.Token);
                    break;
                case "shares":
                    return await SharesAsync(services, args.Length > 1 ? args[1] : "scan", cancel.Token);
                case "chain":
                    return await ChainAsync(services, args.Length > 1 ? args[1] : "", cancel.Token);
            }

            return 0;
        }
        catch (Exception e) when (ConfigurationErrors.Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync(message);
            return 2;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or MySqlConnector.MySqlException or DbUpdateException or IOException or ChainException)
        {
            // The detail goes to the log file; the console gets the cause in one line.
            logger.LogDebug(e, "Command {Command} failed", args[0]);
            await Console.Error.WriteLineAsync($"{args[0]} failed: {Describe(e)}");
            return 1;
        }
    }

    /// <summary>
    /// Deploys EhrAccess unless the chain already has its code at the recorded address (the file given, else
    /// Chain:ContractAddress), and records the address in the file.
    /// </summary>
    private static async Task DeployContractAsync(IServiceProvider services, string? contractFile, CancellationToken cancellationToken)
    {
        var recorded = contractFile is not null && File.Exists(contractFile)
            ? (await File.ReadAllTextAsync(contractFile, cancellationToken)).Trim()
            : services.GetRequiredService<IOptions<ChainOptions>>().Value.ContractAddress;
        var address = await services.GetRequiredService<ContractDeployer>().EnsureDeployedAsync(recorded, cancellationToken);
        if (contractFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(contractFile))!);
            await File.WriteAllTextAsync(contractFile, address + "\n", cancellationToken);
        }

        await Console.Out.WriteLineAsync($"EhrAccess contract: {address}");
    }

    /// <summary>Applies the EF Core migrations to the app database and creates each share node's table.</summary>
    private static async Task MigrateAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        var applied = await services.GetRequiredService<AppDatabaseMigrator>().MigrateAsync(cancellationToken);
        logger.LogInformation("App database: applied {Count} migration(s)", applied);

        var nodes = services.GetRequiredService<IOptions<ShareNodeOptions>>().Value.Nodes;
        for (var i = 0; i < nodes.Count; i++)
        {
            await ShareNodeSchema.EnsureCreatedAsync(nodes[i].ConnectionString, cancellationToken);
        }

        logger.LogInformation("Share nodes: {Count} ready", nodes.Count);
    }

    /// <summary>
    /// <c>shares scan</c> prints a per-node table and the problems (exit 0 when clean, 3 when not); <c>shares repair</c>
    /// scans, rewrites missing and corrupt shares and prints what it did (exit 0 when nothing is left, 3 when not).
    /// </summary>
    private static async Task<int> SharesAsync(IServiceProvider services, string action, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case "scan":
                var scan = await services.GetRequiredService<ShareScan>().RunAsync(cancellationToken);
                ShareReportText.WriteScan(scan, Console.Out);
                return scan.IsClean ? 0 : SharesNeedAttention;
            case "repair":
                var repair = await services.GetRequiredService<ShareRepair>().RunAsync(cancellationToken);
                ShareReportText.WriteRepair(repair, Console.Out);
                // Shares a node did not take are reported for the monitor; the command runs no background writer.
                await services.GetRequiredService<ShareNodeReports>().FlushAsync(cancellationToken);
                return repair.Complete ? 0 : SharesNeedAttention;
            default:
                await Console.Error.WriteLineAsync($"Unknown shares action '{action}': use 'shares scan' or 'shares repair'.");
                return 2;
        }
    }

    /// <summary>
    /// <c>chain reindex</c> empties the chain index and reads it again from block 0 up to the head (less the
    /// confirmations), printing its progress. A running app beside it is safe: the cursor keeps the two from writing a
    /// range twice, and its indexer carries on from where this one stopped.
    /// </summary>
    private static async Task<int> ChainAsync(IServiceProvider services, string action, CancellationToken cancellationToken)
    {
        if (action != "reindex")
        {
            await Console.Error.WriteLineAsync($"Unknown chain action '{action}': use 'chain reindex'.");
            return 2;
        }

        var writer = services.GetRequiredService<ChainIndexWriter>();
        var resets = 0;
        while (!await writer.ResetAsync(cancellationToken))
        {
            if (++resets == 10)
            {
                await Console.Error.WriteLineAsync("chain reindex failed: the index kept changing under it (ten tries).");
                return 1;
            }
        }

        await Console.Out.WriteLineAsync("Chain index emptied; reading the contract's events from block 0.");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        ChainIndexStep step;
        do
        {
            step = await writer.StepAsync(cancellationToken);
            if (started.Elapsed - reported >= TimeSpan.FromSeconds(5))
            {
                reported = started.Elapsed;
                await Console.Out.WriteLineAsync($"  through block {await writer.IndexedThroughAsync(cancellationToken)}");
            }
        }
        while (step is not (ChainIndexStep.CaughtUp or ChainIndexStep.NoContract));

        var db = services.GetRequiredService<EhrDbContext>();
        var count = await db.ChainEvents.CountAsync(cancellationToken);
        await Console.Out.WriteLineAsync(
            $"Chain index rebuilt: {count} event(s) through block {await writer.IndexedThroughAsync(cancellationToken)} in {started.Elapsed.TotalSeconds:0.0} s.");
        return 0;
    }

    private static string Describe(Exception e)
    {
        var mysql = e as MySqlConnector.MySqlException ?? e.InnerException as MySqlConnector.MySqlException;
        return mysql is null
            ? e.Message
            : $"the database did not answer as expected ({mysql.Message}). Check Database:ConnectionString and the ShareNodes connection strings.";
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
