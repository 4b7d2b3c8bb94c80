using System.Globalization;
using EhrShare.SystemBench.Measuring;
using EhrShare.SystemBench.Reporting;
using EhrShare.SystemBench.Stages;

namespace EhrShare.SystemBench;

/// <summary>
/// <c>./ehr bench</c> runs this three times: <c>run main</c> (automine), <c>run blocktime</c> (after the script restarted
/// anvil with a 1 s block time), then <c>report</c>; <c>./ehr bench faults</c> runs <c>run faults</c> (its own report). Each run appends to results.csv and samples.csv in --out; the
/// report and plots are made from those files alone. (Not a top-level program: the web app's <c>Program</c> is the one
/// the bench hosts.)
/// </summary>
internal static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var options = Options.Parse(args);
        var output = Console.Out;
        try
        {
            switch (options.Command)
            {
                case "run" when options.Phase == "faults":
                    Console.SetOut(TextWriter.Null);
                    return await Faults.FaultBench.RunAsync(options.Out, new Progress(output));
                case "run":
                    // The hosted app logs to the console too (its file log under .data/bench/logs is kept): keep the
                    // terminal for the progress line.
                    Console.SetOut(TextWriter.Null);
                    await Runner.RunAsync(options.Phase, options.Out, options.Port, new Progress(output));
                    return 0;
                case "report":
                    ReportWriter.Write(options.Out, options.RunSeconds);
                    await output.WriteLineAsync($"report: {Path.Combine(options.Out, ReportWriter.FileName)}");
                    return 0;
                default:
                    await Console.Error.WriteLineAsync("usage: EhrShare.SystemBench run main|blocktime|readers|chain|fhir|faults --out DIR [--port N, default: a free one] | report --out DIR [--run-seconds N]");
                    return 2;
            }
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"bench failed: {e}");
            return 1;
        }
    }

    private sealed record Options(string Command, string Phase, string Out, int Port, double? RunSeconds)
    {
        public static Options Parse(string[] args)
        {
            string Value(string name, string fallback)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
            }

            return new Options(
                args.ElementAtOrDefault(0) ?? "",
                args.ElementAtOrDefault(1) ?? "",
                Path.GetFullPath(Value("--out", "artifacts/bench/latest")),
                int.Parse(Value("--port", "0"), CultureInfo.InvariantCulture),
                args.Contains("--run-seconds") ? double.Parse(Value("--run-seconds", "0"), CultureInfo.InvariantCulture) : null);
        }
    }
}
