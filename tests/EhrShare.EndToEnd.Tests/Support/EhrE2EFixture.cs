using System.Runtime.CompilerServices;
using System.Text;
using EhrShare.Testing;
using Microsoft.Playwright;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>
/// One app process and one browser for a collection of test classes (starting them costs several seconds of CPU, on
/// 2 cores shared with the other test projects). Every scenario gets fresh browser contexts, so no cookies or
/// storage leak between tests; a scenario runs on its devices in parallel.
/// </summary>
public sealed class EhrE2EFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _areaLock = new(1, 1);
    private IPlaywright? _playwright;
    private string? _openArea;

    /// <summary>
    /// Upper bounds, not waits: every expectation and action returns as soon as the page is as expected. They are set
    /// for a 2-core machine under heavy load (a fresh-clone run beside stress-ng and two other builds timed out a
    /// 10 s expectation), where a page that takes a second when idle can take twenty.
    /// </summary>
    public const int ExpectTimeoutMs = 30_000;

    /// <summary>The bound for each browser action (navigation, click, fill); see <see cref="ExpectTimeoutMs"/>.</summary>
    public const int ActionTimeoutMs = 45_000;

    static EhrE2EFixture() => Assertions.SetDefaultExpectTimeout(ExpectTimeoutMs);

    public EhrAppProcess App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var app = EhrAppProcess.StartAsync();
        var browser = Chromium.LaunchAsync();
        try
        {
            await Task.WhenAll(app, browser);
        }
        catch
        {
            // Whichever of the two did start must not outlive the failed fixture.
            if (app.IsCompletedSuccessfully)
            {
                await app.Result.DisposeAsync();
            }

            if (browser.IsCompletedSuccessfully)
            {
                await browser.Result.Browser.CloseAsync();
                browser.Result.Playwright.Dispose();
            }

            throw;
        }

        App = app.Result;
        (_playwright, Browser) = browser.Result;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    /// <summary>
    /// A new browser context (its own cookies) sized for <paramref name="device"/>, against the app; in UTC unless
    /// <paramref name="timezoneId"/> names another time zone (an IANA name). The app's service worker is blocked
    /// unless <paramref name="serviceWorkers"/> (the tests of the home-screen app allow it): a worker that answers a
    /// page's requests hides them from Playwright's request routing, which other scenarios use.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(Device device, string? timezoneId = null, bool serviceWorkers = false)
    {
        var options = device.ContextOptions(App.BaseAddress);
        options.TimezoneId = timezoneId ?? options.TimezoneId;
        options.ServiceWorkers = serviceWorkers ? ServiceWorkerPolicy.Allow : ServiceWorkerPolicy.Block;
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(ActionTimeoutMs);
        return context;
    }

    /// <summary>A new page in <paramref name="context"/>, watched for browser errors and named for screenshots.</summary>
    public static async Task<IPage> NewPageAsync(IBrowserContext context, Device device)
    {
        var page = await context.NewPageAsync();
        Screenshots.Register(page, device);
        PageDiagnostics.Watch(page);
        return page;
    }

    /// <summary>
    /// Runs <paramref name="scenario"/> once per device, each in a new context, in parallel (every scenario makes its
    /// own users and areas, so they cannot interfere). A failure names the device and carries a screenshot of the
    /// page as it was, the browser's errors and the tail of the app's log.
    /// </summary>
    public async Task OnEachDeviceAsync(Func<IPage, Task> scenario, string? caseName = null, [CallerMemberName] string test = "")
    {
        var name = caseName is null ? test : $"{test}-{caseName}";
        var results = await Task.WhenAll(Device.All.Select(device => RunAsync(device, scenario, name)));
        var failures = results.Where(r => r is not null).ToList();
        if (failures.Count > 0)
        {
            throw new ScenarioFailedException(string.Join("\n\n", failures.Select(f => f!.Message)) + AppLogTail(), failures[0]!.InnerException);
        }
    }

    /// <summary>
    /// The name of an open area for registrations, created once through the Areas page by the seeded admin (the way
    /// an administrator prepares the system before patients can register).
    /// </summary>
    public async Task<string> OpenAreaAsync()
    {
        await _areaLock.WaitAsync();
        try
        {
            if (_openArea is null)
            {
                await using var context = await NewContextAsync(Device.Desktop);
                var page = await NewPageAsync(context, Device.Desktop);
                await page.SignInAsAdminAsync();
                _openArea = await page.CreateAreaAsync(UniqueName("Area"));
            }

            return _openArea;
        }
        finally
        {
            _areaLock.Release();
        }
    }

    public static string UniqueName(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    public static string UniqueEmail(string prefix) => $"{prefix}-{Guid.NewGuid():N}@example.test";

    private async Task<ScenarioFailedException?> RunAsync(Device device, Func<IPage, Task> scenario, string name)
    {
        await using var context = await NewContextAsync(device);
        var page = await NewPageAsync(context, device);
        try
        {
            await scenario(page);
            var problems = PageDiagnostics.Of(page).Problems;
            if (problems.Count > 0)
            {
                throw new InvalidOperationException("The browser reported problems:\n  " + string.Join("\n  ", problems));
            }

            return null;
        }
        catch (Exception e)
        {
            return new ScenarioFailedException(await DescribeFailureAsync(page, device, name, e), e);
        }
    }

    private static async Task<string> DescribeFailureAsync(IPage page, Device device, string name, Exception error)
    {
        var text = new StringBuilder();
        text.Append('[').Append(device.Name).Append("] ").Append(error.GetType().Name).Append(": ").Append(error.Message)
            .Append("\n  at page ").Append(page.Url);
        try
        {
            Directory.CreateDirectory(Screenshots.FailureFolder);
            var path = Path.Combine(Screenshots.FailureFolder, $"{name}-{device}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = ExpectTimeoutMs });
            text.Append("\n  screenshot: ").Append(path);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            // The failure itself must still be reported: a busy browser can time out the screenshot too.
            text.Append("\n  (no screenshot: ").Append(e.Message).Append(')');
        }

        var console = PageDiagnostics.Of(page).ConsoleErrors;
        if (console.Count > 0)
        {
            text.Append("\n  browser console errors:\n    ").AppendJoin("\n    ", console.TakeLast(10));
        }

        return text.ToString();
    }

    private string AppLogTail() => App is null ? "" : $"\n\nApp log (last 40 lines):\n{App.LogTail(40)}";
}

/// <summary>A scenario failed on one or more devices; the message says where, with the evidence.</summary>
public sealed class ScenarioFailedException(string message, Exception? inner) : Exception(message, inner);

/// <summary>
/// The end-to-end classes share one app and one browser and run one test at a time (the devices of a test run in
/// parallel). Should the suite outgrow that, a second collection definition with the same fixture runs its classes
/// in parallel against an app of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class E2ECollection : ICollectionFixture<EhrE2EFixture>
{
    public const string Name = "End to end";
}
