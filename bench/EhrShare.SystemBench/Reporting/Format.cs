using System.Globalization;

namespace EhrShare.SystemBench.Reporting;

/// <summary>Numbers as the report prints them (invariant culture; "—" for a figure the run did not produce).</summary>
internal static class Format
{
    public static string Num(double v) =>
        double.IsNaN(v) ? "—" : Math.Abs(v) >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture) : Math.Abs(v) >= 10 ? v.ToString("0.0", CultureInfo.InvariantCulture) : v.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Kb(double bytes) =>
        double.IsNaN(bytes) ? "—" : bytes >= 1024 * 1024 ? Invariant($"{bytes / 1048576:0.00} MiB") : bytes >= 1024 ? Invariant($"{bytes / 1024:0.0} KiB") : Invariant($"{bytes:0} B");

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
