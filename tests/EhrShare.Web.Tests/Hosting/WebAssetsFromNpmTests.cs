using System.Diagnostics;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>The browser files committed under wwwroot are what their sources make: the libraries are the files of the npm
/// packages tools/web-assets/package-lock.json pins, the home-screen icons the output of tools/web-assets/icons.mjs
/// (docs/decisions/web-assets-from-npm.md).</summary>
public class WebAssetsFromNpmTests
{
    [Fact]
    public async Task CommittedChartJs_IsTheLockedNpmPackagesFile()
    {
        var (exitCode, output) = await NodeAsync("tools/web-assets/copy.mjs", "--check");

        Assert.True(exitCode == 0, $"wwwroot/lib differs from the locked npm packages:\n{output}");
        Assert.StartsWith("chart.js 4.6.1 ", await File.ReadAllTextAsync(Path.Combine(TestStack.RepoRoot, "src/EhrShare.Web/wwwroot/lib/chart.js/VERSION")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommittedIcons_AreWhatTheIconScriptDraws()
    {
        var (exitCode, output) = await NodeAsync("tools/web-assets/icons.mjs", "--check");

        Assert.True(exitCode == 0, output);
        var png = await File.ReadAllBytesAsync(Path.Combine(TestStack.RepoRoot, "src/EhrShare.Web/wwwroot/icons/icon-512.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    private static async Task<(int ExitCode, string Output)> NodeAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = TestStack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
