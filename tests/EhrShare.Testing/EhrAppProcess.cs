using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace EhrShare.Testing;

/// <summary>
/// The real app (the built EhrShare.Web.dll) running as a process of its own on a free loopback port, against the
/// test stack: the way a user runs it, with nothing of the test process inside it. It gets the stack's settings
/// (<see cref="TestStack.All"/>) in its environment and <c>ASPNETCORE_ENVIRONMENT=Test</c>. Disposing kills it.
/// </summary>
public sealed class EhrAppProcess : IAsyncDisposable
{
    // Not a guess at how long a start takes: the wait ends as soon as /health answers, or at once when the process
    // exits. The limit only catches an app that hangs; 90 s was met by healthy starts on a 2-core machine at load 80.
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromMinutes(5);
    private readonly Process _process;
    private readonly EventHandler _killOnExit;
    private readonly HttpMessageHandler? _healthHandler;
    private int _disposed;

    private EhrAppProcess(Process process, Uri baseAddress, ProcessOutput output, HttpMessageHandler? healthHandler)
    {
        _healthHandler = healthHandler;
        _process = process;
        BaseAddress = baseAddress;
        Output = output;
        // Should the test run end without disposing (an aborted run), do not leave the app listening.
        _killOnExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _killOnExit;
    }

    /// <summary>The app's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>What the app wrote to its console (Serilog's console sink).</summary>
    public ProcessOutput Output { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The web app's build output next to this test build: same configuration and target framework
    /// (<c>src/EhrShare.Web/bin/Debug/net10.0/EhrShare.Web.dll</c> for a Debug build).
    /// </summary>
    public static string WebDllPath
    {
        get
        {
            var testOutput = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent?.Name ?? "Debug";
            return Path.Combine(TestStack.RepoRoot, "src", "EhrShare.Web", "bin", configuration, framework, "EhrShare.Web.dll");
        }
    }

    /// <summary>
    /// Starts the app and waits until <c>/health</c> answers 200. <paramref name="settings"/> override single settings
    /// (configuration keys with <c>__</c> or <c>:</c>). <paramref name="port"/> is a free port the caller picked (a proxy
    /// started before the app needs it); <paramref name="healthHandler"/> sends the <c>/health</c> requests, following
    /// redirects, when the app redirects them (HTTPS redirection behind a test proxy); it is disposed with the app.
    /// </summary>
    public static async Task<EhrAppProcess> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null,
        TimeSpan? startTimeout = null,
        int? port = null,
        HttpMessageHandler? healthHandler = null)
    {
        var dll = WebDllPath;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: build the solution first (dotnet build EhrShare.sln).");
        }

        var baseAddress = new Uri($"http://127.0.0.1:{(port ?? LocalPorts.Free()).ToString(CultureInfo.InvariantCulture)}/");
        var start = StartInfo(dll, ["--urls", baseAddress.GetLeftPart(UriPartial.Authority)], settings);
        var output = new ProcessOutput();
        var process = new Process { StartInfo = start };
        process.Start();
        output.Attach(process);
        var app = new EhrAppProcess(process, baseAddress, output, healthHandler);
        try
        {
            await app.WaitUntilHealthyAsync(startTimeout ?? DefaultStartTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>The last lines the app logged, for failure messages.</summary>
    public string LogTail(int lines = 60) => Output.Tail(lines);

    /// <summary>
    /// Runs one of the app's commands (<c>setup</c>, <c>shares scan</c>, …) as a process of its own with the stack's
    /// settings overlaid with <paramref name="settings"/>; returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? settings = null, TimeSpan? timeout = null)
    {
        var dll = WebDllPath;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: build the solution first (dotnet build EhrShare.sln).");
        }

        var start = StartInfo(dll, args, settings);
        using var process = Process.Start(start)!;
        var output = new ProcessOutput();
        output.Attach(process);
        var limit = timeout ?? DefaultStartTimeout;
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not finish in {limit.TotalSeconds} s:\n{output.All}");
        }

        // Without a timeout, WaitForExit also waits for the redirected streams to be read to the end.
        process.WaitForExit();
        return (process.ExitCode, output.All);
    }

    /// <summary>Kills the app at once (SIGKILL on Linux: no shutdown, its connections simply drop) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _killOnExit;
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _healthHandler?.Dispose();
    }

    private static ProcessStartInfo StartInfo(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root: wwwroot and appsettings are read from the project folder, as ./ehr run does.
            WorkingDirectory = Path.Combine(TestStack.RepoRoot, "src", "EhrShare.Web"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in TestStack.All)
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Test";
        // Settings of the test host that are not the app's business.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HOSTINGSTARTUPASSEMBLIES");
        start.Environment.Remove("DOTNET_STARTUP_HOOKS");
        return start;
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = _healthHandler is null
            ? new HttpClient()
            : new HttpClient(_healthHandler, disposeHandler: false);
        http.BaseAddress = BaseAddress;
        http.Timeout = TimeSpan.FromSeconds(10);
        var watch = Stopwatch.StartNew();
        var last = "no answer yet";
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                // Let the output readers reach the end: the reason is usually in the last lines.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"The app exited with code {_process.ExitCode} while starting:\n{Output.Tail(80)}");
            }

            try
            {
                using var response = await http.GetAsync("health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "/health did not answer within 10 s";
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(
            $"The app at {BaseAddress} was not healthy within {timeout.TotalSeconds} s. Last /health: {last}\nApp output:\n{Output.Tail(80)}");
    }
}
