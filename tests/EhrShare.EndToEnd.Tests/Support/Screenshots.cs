using System.Runtime.CompilerServices;
using EhrShare.Testing;
using Microsoft.Playwright;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>
/// Full-page PNGs under <c>artifacts/screenshots/</c> (git-ignored), named <c>&lt;name&gt;-&lt;desktop|phone&gt;.png</c>,
/// for people to look at: every page a scenario visits, at both widths.
/// </summary>
public static class Screenshots
{
    private static readonly ConditionalWeakTable<IPage, Device> Devices = new();

    public static string Folder { get; } = Path.Combine(TestStack.RepoRoot, "artifacts", "screenshots");

    public static string FailureFolder { get; } = Path.Combine(Folder, "failed");

    /// <summary>Saves a full-page screenshot of <paramref name="page"/> as <c>&lt;name&gt;-&lt;device&gt;.png</c>; returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Folder, $"{name}-{DeviceOf(page).Name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>For what only a phone shows differently, such as the menu opened from its button.</summary>
    public static async Task ScreenshotOnPhoneAsync(IPage page, string name)
    {
        if (DeviceOf(page).IsMobile)
        {
            await ScreenshotAsync(page, name);
        }
    }

    internal static void Register(IPage page, Device device) => Devices.AddOrUpdate(page, device);

    public static Device DeviceOf(IPage page) =>
        Devices.TryGetValue(page, out var device) ? device
        : page.ViewportSize is { Width: < 768 } ? Device.Phone
        : Device.Desktop;
}
