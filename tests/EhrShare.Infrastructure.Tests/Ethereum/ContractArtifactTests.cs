using System.Diagnostics;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Testing;

namespace EhrShare.Infrastructure.Tests.Ethereum;

public class ContractArtifactTests
{
    [Fact]
    public async Task CommittedArtifact_IsWhatTheSourceCompilesTo()
    {
        // Recompiles contracts/*.sol with the pinned solc-js and compares with contracts/build/*.json.
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = TestStack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("tools/chain/compile.mjs");
        info.ArgumentList.Add("--check");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0,
            $"contracts/build is stale: run 'node tools/chain/compile.mjs' and commit the artifact.\n{await stdout}\n{await stderr}");
    }

    [Fact]
    public void EmbeddedArtifact_IsTheCommittedFile()
    {
        var file = ContractArtifact.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "contracts/build/EhrAccess.json")));
        var embedded = ContractArtifact.EhrAccess;

        Assert.Equal(file.Bytecode, embedded.Bytecode);
        Assert.Equal(file.DeployedBytecode, embedded.DeployedBytecode);
        Assert.StartsWith("0.8.37", embedded.CompilerVersion, StringComparison.Ordinal);
        Assert.Equal("EhrAccess", embedded.ContractName);
    }
}
