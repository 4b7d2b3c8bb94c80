using System.Diagnostics;

namespace EhrShare.SystemBench.Measuring;

/// <summary>
/// One status line while the bench runs: the stage, its counts and the elapsed time. Rewritten in place on a terminal;
/// printed every few seconds (and at each stage) when the output goes to a file or a pipe.
/// </summary>
public sealed class Progress(TextWriter output)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsOutputRedirected;
    private readonly Lock _gate = new();
    private Stopwatch _stage = Stopwatch.StartNew();
    private string _stageName = "";
    private long _lastPrinted;

    public void Stage(string name)
    {
        lock (_gate)
        {
            EndLine();
            _stageName = name;
            _stage = Stopwatch.StartNew();
            output.WriteLine($"[{Elapsed(_total.Elapsed)}] {name}");
            output.Flush();
        }
    }

    /// <summary>Reports progress inside the current stage, e.g. "upload 1 MiB 12/20".</summary>
    public void Report(string what)
    {
        lock (_gate)
        {
            var now = _total.ElapsedMilliseconds;
            if (_terminal)
            {
                if (now - _lastPrinted < 100)
                {
                    return;
                }

                output.Write($"\r\u001b[K  {_stageName}: {what}  ({Elapsed(_stage.Elapsed)} in stage, {Elapsed(_total.Elapsed)} total)");
            }
            else
            {
                if (now - _lastPrinted < 5000)
                {
                    return;
                }

                output.WriteLine($"  [{Elapsed(_total.Elapsed)}] {_stageName}: {what}");
            }

            output.Flush();
            _lastPrinted = now;
        }
    }

    public void Note(string message)
    {
        lock (_gate)
        {
            EndLine();
            output.WriteLine("  " + message);
            output.Flush();
        }
    }

    private void EndLine()
    {
        if (_terminal && _lastPrinted > 0)
        {
            output.Write("\r\u001b[K");
        }
    }

    private static string Elapsed(TimeSpan t) => $"{(int)t.TotalMinutes:00}:{t.Seconds:00}";
}
