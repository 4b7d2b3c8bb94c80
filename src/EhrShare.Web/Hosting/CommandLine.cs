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
/// <c>shares scan|repair|refresh|cancel-refresh</c>, <c>chain reindex</c>. They use the app's own configuration, so they work the same against the ./ehr stacks
/// and against servers a user already has.
/// </summary>
public static class CommandLine
{
    private static readonly string[] Verbs = ["setup", "migrate", "seed-admin", "deploy-contract", "shares", "chain"];

    /// <summary>Exit code of <c>shares scan|repair|refresh</c> when the scan found problems, the repair left some, or the
    /// refresh skipped nodes or records (run <c>shares repair</c>).</summary>
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
        catch (Exception e) when (e is InvalidOperationException or Core.Common.EhrException or MySqlConnector.MySqlException or DbUpdateException or IOException or ChainException)
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
            case "refresh":
                return await RefreshAsync(services, cancellationToken);
            case "cancel-refresh":
                var cancelled = await services.GetRequiredService<ShareRefreshRuns>().CancelAsync(CommandLineUser, cancellationToken);
                await Console.Out.WriteLineAsync(cancelled is null
                    ? "No refresh is running."
                    : $"Refresh run {cancelled.Id} cancelled after {cancelled.RecordsDone} of {cancelled.RecordsTotal} record(s); the others keep their shares.");
                return 0;
            case "repair":
                var repair = await services.GetRequiredService<ShareRepair>().RunAsync(cancellationToken);
                ShareReportText.WriteRepair(repair, Console.Out);
                // Shares a node did not take are reported for the monitor; the command runs no background writer.
                await services.GetRequiredService<ShareNodeReports>().FlushAsync(cancellationToken);
                return repair.Complete ? 0 : SharesNeedAttention;
            default:
                await Console.Error.WriteLineAsync($"Unknown shares action '{action}': use 'shares scan', 'shares repair', 'shares refresh' or 'shares cancel-refresh'.");
                return 2;
        }
    }

    private static string CommandLineUser => $"command line ({Environment.UserName}@{Environment.MachineName})";

    /// <summary>
    /// <c>shares refresh</c> starts a refresh of all records (or joins the running one) and works on it here, printing
    /// progress after each batch; while an app instance holds the refresh lock it follows that one's progress instead.
    /// Exit 0 when every record was refreshed on every node, 3 when nodes or records were skipped (run
    /// <c>shares repair</c>), 1 when it failed or was cancelled. Ctrl-C stops this process, not the run.
    /// </summary>
    private static async Task<int> RefreshAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var runs = services.GetRequiredService<ShareRefreshRuns>();
        var run = await runs.RunningAsync(cancellationToken);
        if (run is null)
        {
            run = await runs.StartAsync(CommandLineUser, cancellationToken);
            await Console.Out.WriteLineAsync($"Refresh run {run.Id} started: {run.RecordsTotal} record(s) committed by {run.StartedAt:u}.");
        }
        else
        {
            await Console.Out.WriteLineAsync(
                $"Joining refresh run {run.Id} (started by {run.StartedBy} at {run.StartedAt:u}): {run.RecordsDone} of {run.RecordsTotal} done.");
        }

        var runner = services.GetRequiredService<ShareRefreshRunner>();
        var printed = run.RecordsDone;
        var following = false;
        try
        {
            while (true)
            {
                var step = await runner.RunAsync(
                    r => Console.Out.WriteLineAsync($"  {r.RecordsDone} of {r.RecordsTotal} record(s) done"), cancellationToken);
                run = await runs.FindAsync(run.Id, cancellationToken) ?? run;
                if (run.State != ShareRefreshState.Running)
                {
                    break;
                }

                if (step == ShareRefreshStep.HeldElsewhere)
                {
                    if (!following)
                    {
                        following = true;
                        await Console.Out.WriteLineAsync("An app instance is running it; following its progress.");
                    }

                    if (run.RecordsDone != printed)
                    {
                        printed = run.RecordsDone;
                        await Console.Out.WriteLineAsync($"  {run.RecordsDone} of {run.RecordsTotal} record(s) done");
                    }

                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync(
                "Stopped here; the refresh stays running: an app instance carries it on, or run 'shares refresh' again.");
            return 130;
        }

        // Old shares a node kept are reported for the monitor; the command runs no background writer.
        await services.GetRequiredService<ShareNodeReports>().FlushAsync(CancellationToken.None);
        return await WriteRefreshOutcomeAsync(run);
    }

    private static async Task<int> WriteRefreshOutcomeAsync(ShareRefreshRun run)
    {
        switch (run.State)
        {
            case ShareRefreshState.Failed:
                await Console.Out.WriteLineAsync($"Refresh failed after {run.RecordsDone} of {run.RecordsTotal} record(s): {run.Outcome}");
                return 1;
            case ShareRefreshState.Cancelled:
                await Console.Out.WriteLineAsync($"Refresh cancelled after {run.RecordsDone} of {run.RecordsTotal} record(s): {run.Outcome}");
                return 1;
        }

        await Console.Out.WriteLineAsync($"Refresh finished: {run.RecordsDone - run.RecordsFailed} of {run.RecordsTotal} record(s) have new shares.");
        if (run.RecordsFailed > 0)
        {
            await Console.Out.WriteLineAsync(
                $"{run.RecordsFailed} record(s) could not be refreshed (fewer than k good shares of one generation); 'shares scan' lists them.");
        }

        if (run.SkippedNodes.Length > 0)
        {
            await Console.Out.WriteLineAsync(
                $"Nodes that did not answer keep old shares of some records: {run.SkippedNodes}. Run 'shares repair' once they answer.");
        }

        return run.RecordsFailed > 0 || run.SkippedNodes.Length > 0 ? SharesNeedAttention : 0;
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
