using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace EhrShare.EndToEnd.Tests.Support;

/// <summary>
/// What the browser saw go wrong on a page: script errors, content-security-policy violations, assets that failed
/// to load, and the console's errors (kept for failure messages). A scenario fails on the first three even when its
/// own steps passed: a page that breaks its scripts or styles is broken for users.
/// </summary>
public sealed class PageDiagnostics
{
    private static readonly ConditionalWeakTable<IPage, PageDiagnostics> Pages = new();
    private readonly List<string> _problems = [];
    private readonly List<string> _console = [];
    private readonly List<(string Path, int Status)> _expected = [];

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_console)
            {
                return [.. _console];
            }
        }
    }

    public static PageDiagnostics Of(IPage page) => Pages.GetValue(page, _ => new PageDiagnostics());

    /// <summary>A script's request that the scenario expects to be refused (e.g. an upload the server turns down with
    /// a message the page shows): not a problem.</summary>
    public void ExpectStatus(string path, int status)
    {
        lock (_expected)
        {
            _expected.Add((path, status));
        }
    }

    private bool IsExpected(string url, int status)
    {
        var path = new Uri(url).AbsolutePath;
        lock (_expected)
        {
            return _expected.Contains((path, status));
        }
    }

    internal static void Watch(IPage page)
    {
        var d = Of(page);
        page.PageError += (_, error) => d.Problem($"script error on {page.Url}: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type != "error")
            {
                return;
            }

            d.Console($"{message.Text} ({message.Location})");
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                d.Problem($"CSP violation on {page.Url}: {message.Text}");
            }
        };
        page.RequestFailed += (_, request) =>
        {
            // A navigation that a click or another navigation interrupts is aborted by design. Chromium's own
            // components (its PDF viewer is the extension that opens a PDF in a frame) are not the app's requests:
            // leaving a page while one loads aborts it, which a busy machine makes likely.
            if (request.ResourceType != "document" && !IsFavicon(request.Url) && !IsBrowsersOwn(request.Url))
            {
                d.Problem($"{request.ResourceType} {request.Url} failed: {request.Failure}");
            }
        };
        page.Response += (_, response) =>
        {
            // Chromium asks for /favicon.ico by itself when a page names none; the page did not ask for it.
            if (response.Status >= 400 && response.Request.ResourceType != "document" && !IsFavicon(response.Url) &&
                !d.IsExpected(response.Url, response.Status))
            {
                d.Problem($"{response.Request.ResourceType} {response.Url} answered {response.Status}");
            }
        };
    }

    private static bool IsBrowsersOwn(string url) => url.StartsWith("chrome-extension://", StringComparison.Ordinal);

    private static bool IsFavicon(string url) => new Uri(url).AbsolutePath == "/favicon.ico";

    private void Problem(string text)
    {
        lock (_problems)
        {
            _problems.Add(text);
        }
    }

    private void Console(string text)
    {
        lock (_console)
        {
            _console.Add(text);
        }
    }
}
