using System.IO.Compression;
using System.Text;

namespace EhrShare.Testing;

/// <summary>Reads a patient's export ZIP the way its users would: files by name, and its CSV files as rows.</summary>
public static class ExportArchive
{
    /// <summary>The text of <paramref name="name"/> (UTF-8).</summary>
    public static string Text(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(Entry(zip, name).Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The bytes of <paramref name="name"/>.</summary>
    public static byte[] Bytes(ZipArchive zip, string name)
    {
        using var content = Entry(zip, name).Open();
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// The rows of an RFC 4180 CSV file (quoted cells may hold commas, doubled quotes and line breaks; rows end in CRLF
    /// or LF), header first.
    /// </summary>
    public static List<List<string>> CsvRows(ZipArchive zip, string name) => ParseCsv(Text(zip, name));

    /// <summary>The rows of RFC 4180 CSV text; see <see cref="CsvRows"/>.</summary>
    public static List<List<string>> ParseCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\n')
            {
                row.Add(cell.ToString().TrimEnd('\r'));
                cell.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString().TrimEnd('\r'));
            rows.Add(row);
        }

        return rows;
    }

    private static ZipArchiveEntry Entry(ZipArchive zip, string name) =>
        zip.GetEntry(name) ?? throw new InvalidOperationException(
            $"The export has no {name}; it has: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
}
