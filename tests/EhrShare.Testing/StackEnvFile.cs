namespace EhrShare.Testing;

/// <summary>Reads the <c>KEY='value'</c> lines the stack script writes to <c>stack.env</c> (shell-quoted, single quotes).</summary>
public static class StackEnvFile
{
    public static IEnumerable<(string Key, string Value)> Parse(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..];
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..];
            if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
            {
                // The script writes ' as '\'' inside single quotes.
                value = value[1..^1].Replace("'\\''", "'", StringComparison.Ordinal);
            }

            yield return (line[..eq], value);
        }
    }
}
