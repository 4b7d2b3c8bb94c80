using System.Globalization;

namespace EhrShare.SystemBench.Reporting;

/// <summary>results.csv and samples.csv read back: values by (section, case, metric), samples by (section, case).</summary>
public sealed class ResultTable
{
    private readonly Dictionary<(string Section, string Case, string Metric), string> _values = [];
    private readonly Dictionary<(string Section, string Case), List<double>> _samples = [];

    public ResultTable(string dir)
    {
        foreach (var row in ReadCsv(Path.Combine(dir, Measuring.Results.ResultsFile)).Skip(1))
        {
            _values[(row[0], row[1], row[2])] = row[3];
        }

        foreach (var row in ReadCsv(Path.Combine(dir, Measuring.Results.SamplesFile)).Skip(1))
        {
            var key = (row[0], row[1]);
            (_samples.TryGetValue(key, out var list) ? list : _samples[key] = []).Add(double.Parse(row[2], CultureInfo.InvariantCulture));
        }
    }

    public double? Value(string section, string @case, string metric) =>
        _values.TryGetValue((section, @case, metric), out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    public double V(string section, string @case, string metric) => Value(section, @case, metric) ?? double.NaN;

    public string Text(string section, string @case, string metric) => _values.GetValueOrDefault((section, @case, metric)) ?? "—";

    public IReadOnlyList<double> Samples(string section, string @case) => _samples.GetValueOrDefault((section, @case)) ?? [];

    public IEnumerable<string> Cases(string section) =>
        _values.Keys.Where(k => k.Section == section).Select(k => k.Case).Distinct();

    private static IEnumerable<List<string>> ReadCsv(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
