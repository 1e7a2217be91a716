using CsvHelper;
using XQuant.Sim.Reports;

namespace XQuant.Sim.Output;

/// <summary>Writes a table as CSV with CsvHelper: snake_case headers with units, bare invariant numbers, LF endings.</summary>
public static class CsvOutput
{
    public static string ToCsv(TextTable table)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(text, table);
        return text.ToString();
    }

    public static void Write(TextWriter destination, TextTable table)
    {
        using (var csv = CsvWriter.Create(destination, new CsvWriterOptions { NewLine = "\n" }, leaveOpen: true))
        {
            csv.WriteRecord(table.Headers.ToArray());
            foreach (var row in table.Rows)
            {
                csv.WriteRecord(row.ToArray());
            }
            csv.Flush();
        }
        destination.Flush();
    }

    public static void WriteFile(string path, TextTable table) => AtomicFile.WriteText(path, ToCsv(table));
}
