using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>axe-core's checks on the page as it is now: any serious or critical violation fails, listed with where it is.</summary>
public static class Accessibility
{
    private static readonly string[] Failing = ["serious", "critical"];

    public static async Task AssertAccessibleAsync(this IPage page, string what)
    {
        var result = await page.RunAxe();
        var violations = result.Violations.Where(v => Failing.Contains(v.Impact)).ToList();
        Assert.True(violations.Count == 0, $"{what} ({page.Url}, {Screenshots.DeviceOf(page).Name}): " + string.Join("\n  ", violations.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(5).Select(n => n.Target.ToString() + " " + n.Html[..Math.Min(n.Html.Length, 120)]))}")));
    }
}
