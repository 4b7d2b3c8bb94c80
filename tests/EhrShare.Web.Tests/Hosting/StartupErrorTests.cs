using System.Globalization;
using EhrShare.Testing;

namespace EhrShare.Web.Tests.Hosting;

/// <summary>
/// A bad setting stops the real app (its own process, as an operator starts it) with exit code 2 and one line naming
/// the setting: no stack trace. The test host instead sees the exception (Hosting:RethrowStartupErrors).
/// </summary>
public sealed class StartupErrorTests
{
    [Fact]
    public async Task ABadSetting_ExitsWith2_NamingTheSetting_WithoutAStackTrace()
    {
        var url = $"http://127.0.0.1:{LocalPorts.Free().ToString(CultureInfo.InvariantCulture)}";

        var (exit, output) = await EhrAppProcess.RunCommandAsync(
            ["--urls", url], new Dictionary<string, string> { ["AccessRequests:MaxOpenRequests"] = "0" });

        Assert.True(exit == 2, output);
        Assert.Contains("Configuration error: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.Contains("AccessRequests:MaxOpenRequests must be 1 to 1000.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
