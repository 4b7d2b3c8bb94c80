using System.Diagnostics;
using System.Globalization;
using EhrShare.SystemBench.Hosting;

namespace EhrShare.SystemBench.Faults;

/// <summary>
/// A service of the bench stack (<c>ipfs</c>, <c>anvil</c>) as <c>./ehr</c> started it, found by its pid file under the
/// stack's <c>run</c> folder. Faults are plain signals; starting it again is <c>./ehr stack start &lt;stack&gt;</c>, which
/// starts what is not running with the stack's own arguments (anvil loads the chain state it saved).
/// </summary>
public sealed class StackProcess(Stack stack, string name)
{
    private string PidFile => Path.Combine(stack.StackDir, "run", name + ".pid");

    private int Pid => int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture);

    /// <summary>SIGKILL: no shutdown, whatever it had not written is lost.</summary>
    public async Task KillAsync()
    {
        using var process = Process.GetProcessById(Pid);
        process.Kill();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, and waits until it is gone (anvil writes its state on the way down).</summary>
    public async Task StopAsync()
    {
        using var process = Process.GetProcessById(Pid);
        await SignalAsync("TERM");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends a signal by name (STOP, CONT, TERM) with kill(1).</summary>
    public async Task SignalAsync(string signal) =>
        await RunAsync("kill", ["-" + signal, Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));

    /// <summary>Starts the stack's services that are not running, and returns when they answer.</summary>
    public Task StartStackServicesAsync() =>
        RunAsync(Path.Combine(BenchApp.RepoRoot(), "ehr"), ["stack", "start", Path.GetFileName(stack.StackDir)], TimeSpan.FromMinutes(2));

    private static async Task RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}{await error}");
        }
    }
}
