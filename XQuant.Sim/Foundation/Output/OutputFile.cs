using System.Text;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Foundation.Output;

/// <summary>
/// One file of a command's output: its path relative to the output folder and how to write its bytes. Renderers
/// build these from finished results; <see cref="OutputSet"/> is the one place that puts them on disk.
/// </summary>
public sealed record OutputFile(string RelativePath, Action<Stream> Write)
{
    private static readonly UTF8Encoding Utf8 = new(false);

    public static OutputFile Text(string relativePath, string text) =>
        new(relativePath, s =>
        {
            using var w = new StreamWriter(s, Utf8, leaveOpen: true);
            w.Write(text);
        });

    public static OutputFile Bytes(string relativePath, byte[] bytes) => new(relativePath, s => s.Write(bytes));

    public static OutputFile Csv(string relativePath, TextTable table) => Text(relativePath, CsvOutput.ToCsv(table));

    /// <summary>A CSV file whose rows are rendered while it is written: a large table is never held in memory.</summary>
    public static OutputFile CsvRows<T>(string relativePath, IReadOnlyList<TableColumn<T>> columns, IEnumerable<T> rows) =>
        new(relativePath, s =>
        {
            using var w = new StreamWriter(s, Utf8, 1 << 16, leaveOpen: true);
            CsvOutput.Write(w, columns.Select(c => c.Header).ToList(), rows.Select(r => (IReadOnlyList<string>)columns.Select(c => c.Cell(r)).ToArray()));
        });
}
