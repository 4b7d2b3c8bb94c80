using System.Diagnostics;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Deployment;

public sealed class ComposeFileTests
{
    [Fact]
    public async Task DockerCompose_WithTheExampleEnvironment_Validates()
    {
        var (exitCode, output) = await RunAsync("docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config", "-q");
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task DockerCompose_WithoutPasswords_RefusesWithAMessageNamingTheSetting()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var (exitCode, output) = await RunAsync("docker-compose", "--env-file", empty, "-f", "docker-compose.yml", "config", "-q");
            Assert.NotEqual(0, exitCode);
            Assert.Contains("DB_ROOT_PASSWORD", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = TestStack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
