using System.Diagnostics;
using System.Globalization;

namespace EhrShare.Testing;

/// <summary>
/// A real SMTP server (python3-aiosmtpd, installed by ./ehr test) on a free loopback port, writing every message it
/// receives to a temporary folder as <c>.eml</c> files. Disposing kills it (its own process only) and deletes the folder.
/// </summary>
public sealed class SmtpSinkProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private SmtpSinkProcess(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    /// <summary>Where received messages land, one <c>.eml</c> file each.</summary>
    public string Folder { get; }

    public ProcessOutput Output { get; } = new();

    /// <summary>App settings that send mail to this server (no TLS: a loopback test server).</summary>
    public IReadOnlyDictionary<string, string?> AppSettings(string linkBaseUrl = "http://ehr.test.invalid") => new Dictionary<string, string?>
    {
        ["Smtp:Enabled"] = "true",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "EhrShare <no-reply@ehr.test.invalid>",
        ["Smtp:LinkBaseUrl"] = linkBaseUrl,
    };

    public static async Task<SmtpSinkProcess> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ehrshare-smtp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = LocalPorts.Free();
        // Debian's interpreter, where python3-aiosmtpd is installed (a python3 earlier on PATH may lack it).
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(TestStack.RepoRoot, "tests", "EhrShare.Testing", "smtp-sink.py"), "--port", port.ToString(CultureInfo.InvariantCulture), "--dir", folder })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var sink = new SmtpSinkProcess(process, port, folder);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sink.Output.LineReceived += line =>
        {
            if (line.Contains("ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The SMTP test server exited before it was ready."));
        try
        {
            process.Start();
            sink.Output.Attach(process);
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (Exception e)
        {
            await sink.DisposeAsync();
            throw new InvalidOperationException($"The SMTP test server (python3 -m aiosmtpd, Debian python3-aiosmtpd) did not start: {e.Message}\n{sink.Output.Tail()}", e);
        }

        return sink;
    }

    /// <summary>The messages received so far, oldest first (raw RFC 5322 text).</summary>
    public IReadOnlyList<string> Messages() =>
        Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
