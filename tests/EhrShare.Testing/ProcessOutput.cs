using System.Diagnostics;

namespace EhrShare.Testing;

/// <summary>
/// The standard output and error of a process a test started, kept in memory (the last <see cref="MaxLines"/>
/// lines) so failure messages can quote what the process said, and tests can wait for a line.
/// </summary>
public sealed class ProcessOutput
{
    public const int MaxLines = 5000;

    private readonly Queue<(string Text, long ReadAt)> _lines = new();
    private readonly List<Waiter> _waiters = [];
    private long _count;

    /// <summary>Raised for every line, on the thread that read it.</summary>
    public event Action<string>? LineReceived;

    /// <summary>How many lines were read so far (all of them, also those no longer kept).</summary>
    public long LineCount
    {
        get
        {
            lock (_lines)
            {
                return _count;
            }
        }
    }

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
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)).Select(l => l.Text));
        }
    }

    /// <summary>
    /// The first line after line number <paramref name="after"/> (see <see cref="LineCount"/>; 0: from the start, as far
    /// as lines are still kept) that contains <paramref name="text"/>, with when it was read; fails after
    /// <paramref name="timeout"/> quoting the last lines.
    /// </summary>
    public Task<OutputLine> WaitForLineAsync(string text, TimeSpan timeout, long after = 0) =>
        WaitForLineAsync(line => line.Contains(text, StringComparison.Ordinal), timeout, $"a line with '{text}'", after);

    /// <summary>
    /// The first line after line number <paramref name="after"/>, already written or still to come, that
    /// <paramref name="match"/> accepts; fails after <paramref name="timeout"/> naming <paramref name="what"/> and quoting
    /// the last lines.
    /// </summary>
    public async Task<OutputLine> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what, long after = 0)
    {
        var waiter = new Waiter(match, after);
        lock (_lines)
        {
            var number = _count - _lines.Count;
            foreach (var (line, readAt) in _lines)
            {
                number++;
                if (number > after && match(line))
                {
                    return new OutputLine(number, line, readAt);
                }
            }

            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}. Last lines:\n{Tail(40)}");
        }
        finally
        {
            lock (_lines)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        var readAt = Stopwatch.GetTimestamp();
        lock (_lines)
        {
            _count++;
            _lines.Enqueue((line, readAt));
            while (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }

            foreach (var waiter in _waiters.Where(w => _count > w.After && w.Match(line)))
            {
                waiter.Found.TrySetResult(new OutputLine(_count, line, readAt));
            }
        }

        LineReceived?.Invoke(line);
    }

    private sealed record Waiter(Func<string, bool> Match, long After)
    {
        public TaskCompletionSource<OutputLine> Found { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A line a process wrote: its number (from 1), its text and when it was read (<see cref="Stopwatch.GetTimestamp"/>).</summary>
public sealed record OutputLine(long Number, string Text, long ReadAt);
