using System.Diagnostics;
using EhrShare.Testing;

namespace EhrShare.Infrastructure.Tests.Ethereum;

/// <summary>Runs Foundry's cast, an independent Ethereum client, to cross-check this project's client.</summary>
public static class Cast
{
    public static async Task<string> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(TestStack.CastPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start cast.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        return process.ExitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException($"cast {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
    }
}
