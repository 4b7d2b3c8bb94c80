using System.Diagnostics;
using System.Text.Json;
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

    /// <summary>
    /// Each share node is a MariaDB server of its own, with its own volume, password, user and network, so one node's
    /// leaked credentials open no other node; the app gets each node's own password, and no other service gets any.
    /// </summary>
    [Fact]
    public async Task DockerCompose_GivesEveryShareNodeItsOwnServerVolumeNetworkAndPassword()
    {
        const int nodes = 5;
        var passwords = Enumerable.Range(1, nodes).Select(i => $"pw{i}x{Guid.NewGuid():N}").ToArray();
        var env = Path.GetTempFileName();
        try
        {
            var example = await File.ReadAllLinesAsync(Path.Combine(TestStack.RepoRoot, ".env.example"));
            await File.WriteAllLinesAsync(env, example
                .Where(line => !line.StartsWith("DB_NODE_", StringComparison.Ordinal))
                .Concat(passwords.Select((password, i) => $"DB_NODE_{i + 1}_PASSWORD={password}")));
            using var config = await ResolvedConfigAsync(env);
            var services = config.RootElement.GetProperty("services");

            var volumes = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 1; i <= nodes; i++)
            {
                var node = services.GetProperty($"share-node-{i}");
                var environment = node.GetProperty("environment");
                Assert.StartsWith("mariadb:", node.GetProperty("image").GetString(), StringComparison.Ordinal);
                Assert.Equal(passwords[i - 1], environment.GetProperty("MARIADB_PASSWORD").GetString());
                Assert.Equal($"ehr_node_{i}", environment.GetProperty("MARIADB_DATABASE").GetString());
                Assert.False(environment.TryGetProperty("MARIADB_ROOT_PASSWORD", out _), $"share-node-{i} has a root password from .env");
                var volume = Assert.Single(node.GetProperty("volumes").EnumerateArray()).GetString()!;
                Assert.True(volumes.Add(volume.Split(':')[0]), $"share-node-{i} shares its volume: {volume}");
                Assert.Equal([$"share-node-{i}"], node.GetProperty("networks").EnumerateObject().Select(n => n.Name));
                Assert.True(config.RootElement.GetProperty("networks").GetProperty($"share-node-{i}").GetProperty("internal").GetBoolean());

                var connection = services.GetProperty("app").GetProperty("environment")
                    .GetProperty($"ShareNodes__Nodes__{i - 1}__ConnectionString").GetString()!;
                Assert.Contains($"Server=share-node-{i};", connection, StringComparison.Ordinal);
                Assert.EndsWith($"Password={passwords[i - 1]}", connection, StringComparison.Ordinal);
            }

            // A node's password is in that node's service and in the app, nowhere else.
            foreach (var service in services.EnumerateObject())
            {
                var text = service.Value.GetRawText();
                for (var i = 1; i <= nodes; i++)
                {
                    var mayHold = service.Name == "app" || service.Name == $"share-node-{i}";
                    Assert.True(mayHold || !text.Contains(passwords[i - 1], StringComparison.Ordinal), $"{service.Name} holds share node {i}'s password");
                }
            }
        }
        finally
        {
            File.Delete(env);
        }
    }

    /// <summary><c>docker-compose config</c>'s resolved file, read as JSON (through Debian's python3-yaml, which docker-compose itself uses).</summary>
    private static async Task<JsonDocument> ResolvedConfigAsync(string envFile)
    {
        var (exitCode, yaml) = await RunAsync("docker-compose", "--env-file", envFile, "-f", "docker-compose.yml", "config");
        Assert.True(exitCode == 0, yaml);
        var (converted, json) = await RunWithInputAsync(
            yaml, "/usr/bin/python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)");
        Assert.True(converted == 0, json);
        return JsonDocument.Parse(json);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args) => RunWithInputAsync(null, file, args);

    private static async Task<(int ExitCode, string Output)> RunWithInputAsync(string? standardInput, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = TestStack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
