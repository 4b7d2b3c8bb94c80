using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using EhrShare.Infrastructure.Ethereum.Rpc;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.SystemBench.Hosting;
using EhrShare.SystemBench.Measuring;
using MySqlConnector;

namespace EhrShare.SystemBench.Stages;

/// <summary>The machine and the versions of everything measured, for the report's first table.</summary>
public static class Machine
{
    public static async Task RecordAsync(BenchApp app, Stack stack, Results results)
    {
        const string S = "machine";
        results.Add(S, "", "cpu", Field("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString());
        results.Add(S, "", "cores", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        results.Add(S, "", "memory", Field("/proc/meminfo", "MemTotal") is { } mem ? $"{long.Parse(mem.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB" : "?");
        results.Add(S, "", "os", (Field("/etc/os-release", "PRETTY_NAME", '=') ?? RuntimeInformation.OSDescription).Trim('"') + " (" + RuntimeInformation.OSDescription + ")");
        results.Add(S, "", ".NET", RuntimeInformation.FrameworkDescription + (GCSettings.IsServerGC ? ", server GC" : ", workstation GC"));
        await using (var db = new MySqlConnection(stack.AppDb))
        {
            await db.OpenAsync();
            await using var version = new MySqlCommand("SELECT VERSION()", db);
            results.Add(S, "", "MariaDB", (string)(await version.ExecuteScalarAsync())!);
        }

        results.Add(S, "", "anvil", await app.Get<EthRpcClient>().Web3ClientVersionAsync());
        var ipfs = await app.Get<KuboRpcClient>().VersionAsync();
        results.Add(S, "", "IPFS node", $"{ipfs.Version} (the project's Kubo-RPC dev node)");
        results.Add(S, "", "Node.js", Run("node", "--version"));
        results.Add(S, "", "share nodes", $"{stack.ShareNodes.Count} databases on the MariaDB server, k = {Environment.GetEnvironmentVariable("ShareNodes__Threshold") ?? "3"}");
        results.Add(S, "", "started", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? Field(string file, string key, char separator = ':')
    {
        if (!File.Exists(file))
        {
            return null;
        }

        return File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(separator, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(separator, StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault();
    }

    private static string Run(string file, string args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
