using System.Diagnostics;

namespace EhrShare.Testing;

/// <summary>
/// The standard output and error of a process a test started, kept in memory (the last <see cref="MaxLines"/>
/// lines) so failure messages can quote what the process said.
/// </summary>
public sealed class ProcessOutput
{
    public const int MaxLines = 5000;

    private readonly Queue<string> _lines = new();

    /// <summary>Raised for every line, on the thread that read it.</summary>
    public event Action<string>? LineReceived;

    /// <summary>Starts reading both streams of <paramref name="process"/> (started with both redirected).</summary>
    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string All => Tail(MaxLines);

    /// <summary>The last <paramref name="lines"/> lines, joined with newlines.</summary>
    public string Tail(int lines = 60)
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }

    /// <summary>
    /// The first line, already written or still to come, that <paramref name="match"/> accepts; fails after
    /// <paramref name="timeout"/> quoting the last lines.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string line)
        {
            if (match(line))
            {
                found.TrySetResult(line);
            }
        }

        // Listen first, then look at what is already there, so a line written in between is not missed.
        LineReceived += OnLine;
        try
        {
            string[] earlier;
            lock (_lines)
            {
                earlier = [.. _lines];
            }

            if (earlier.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No line within {timeout.TotalSeconds} s: {what}. Last lines:\n{Tail(40)}");
        }
        finally
        {
            LineReceived -= OnLine;
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }

        LineReceived?.Invoke(line);
    }
}
