using System.Diagnostics;
using System.Runtime.Versioning;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Deployment;

/// <summary>
/// The test stack's folder, as ./ehr made it and the services it started filled it (MariaDB's datadir, anvil's chain
/// state, the IPFS repo, the service and app logs, the secrets and stack.env), is its owner's only: folders 0700,
/// files 0600 (docs/decisions/private-data-folders.md).
/// </summary>
public sealed class StackFileModesTests
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task EveryFolderOfTheTestStack_Is0700_AndEveryFile0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var root = TestStack.StackDir;
        // anvil writes its state every 10 s (--state-interval): wait for the first write rather than miss the file.
        var chainState = Path.Combine(root, "anvil", "state.json");
        await WaitForFileAsync(chainState, TimeSpan.FromSeconds(60));
        foreach (var expected in new[]
                 {
                     "stack.env", "secrets/db-app-password", "secrets/key-encryption-key", "secrets/admin-password",
                     "mariadb/ibdata1", "mariadb/mysql", "ipfs", "logs/mariadb.log", "logs/anvil.log", "logs/ipfs.log",
                 })
        {
            Assert.True(Path.Exists(Path.Combine(root, expected)), $"{expected} is missing from {root}: is the test stack up?");
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "logs"), "ehrshare-*.log"));

        var wrong = new List<string>();
        Check(root, PrivateFolder, wrong);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            // Sockets live in run/ (0700), whatever their own mode; they are not files anyone reads.
            if (entry.EndsWith(".sock", StringComparison.Ordinal))
            {
                continue;
            }

            Check(entry, Directory.Exists(entry) ? PrivateFolder : PrivateFile, wrong);
        }

        Assert.True(wrong.Count == 0, $"Readable by others than the owner ({wrong.Count}):\n{string.Join('\n', wrong.Take(40))}");
    }

    [UnsupportedOSPlatform("windows")]
    private static void Check(string path, UnixFileMode expected, List<string> wrong)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            if (mode != expected)
            {
                wrong.Add($"{Convert.ToString((int)mode, 8)} {Path.GetRelativePath(TestStack.StackDir, path)}");
            }
        }
        catch (IOException)
        {
            // Gone meanwhile: a test's throw-away folder (the reverse-proxy test's nginx) removed while we looked.
        }
    }

    private static async Task WaitForFileAsync(string path, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            Assert.True(watch.Elapsed < timeout, $"{path} did not appear within {timeout.TotalSeconds} s");
            await Task.Delay(250);
        }
    }
}
