using Microsoft.Playwright;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright's .NET driver. The driver (Node.js and Playwright's package) comes in the
/// Microsoft.Playwright NuGet package and is copied to <c>.playwright/</c> in the build output; the browser is the
/// system one, given by path. Nothing is downloaded: never run <c>playwright install</c>.
/// </summary>
public static class Chromium
{
    /// <summary>Debian's chromium; <c>EHR_CHROMIUM</c> overrides it.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("EHR_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"{ExecutablePath} does not exist: install Debian's chromium (./ehr test does), or set EHR_CHROMIUM.");
        }

        var driver = Path.Combine(AppContext.BaseDirectory, ".playwright", "package", "cli.js");
        if (!File.Exists(driver))
        {
            throw new InvalidOperationException(
                $"Playwright's driver is missing from the build output ({driver}): rebuild EhrShare.EndToEnd.Tests.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                ],
                Timeout = 60_000,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
