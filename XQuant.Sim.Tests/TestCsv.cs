namespace XQuant.Sim.Tests;

/// <summary>
/// Reads the CSVs xqsim writes, independently of the CsvHelper writer that made them: RFC 4180 quoting, one line a
/// row (no cell here spans lines).
/// </summary>
internal static class TestCsv
{
    /// <summary>Every data row of a file as header -> cell.</summary>
    public static List<Dictionary<string, string>> Records(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = Cells(lines[0]);
        return [.. lines.Skip(1).Select(l => Cells(l).Select((c, i) => (header[i], c)).ToDictionary(x => x.Item1, x => x.c, StringComparer.Ordinal))];
    }

    public static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted && ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(ch);
            }
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
