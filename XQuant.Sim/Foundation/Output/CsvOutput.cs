using CsvHelper;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Foundation.Output;

/// <summary>Writes tables as CSV with CsvHelper: snake_case headers with units, bare invariant numbers, LF endings.</summary>
public static class CsvOutput
{
    private static readonly CsvWriterOptions Options = new() { NewLine = "\n" };

    public static string ToCsv(TextTable table)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(text, table.Headers, table.Rows);
        return text.ToString();
    }

    /// <summary>
    /// A cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return, e.g. a model
    /// file named <c>=HYPERLINK(...).json</c>) gets a leading apostrophe; numbers, negative ones included, stay bare.
    /// </summary>
    public static string Neutralize(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (cell.Length == 0 || cell[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r'))
        {
            return cell;
        }
        return double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _) ? cell : "'" + cell;
    }

    /// <summary>Writes rows as they come: a sweep of a million cases never holds its table in memory.</summary>
    public static void Write(TextWriter destination, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        using (var csv = CsvWriter.Create(destination, Options, leaveOpen: true))
        {
            csv.WriteRecord(headers.Select(Neutralize).ToArray());
            foreach (var row in rows)
            {
                csv.WriteRecord(row.Select(Neutralize).ToArray());
            }
            csv.Flush();
        }
        destination.Flush();
    }

    /// <summary>One row's cells without writing them: pure, so worker threads can format rows ahead of the writer.</summary>
    public static string[] Cells<T>(IReadOnlyList<TableColumn<T>> columns, T item)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var cells = new string[columns.Count];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = columns[i].Cell(item);
        }
        return cells;
    }

    /// <summary>A CSV file written row by row under a temporary name; it appears only when <see cref="Commit"/> is called.</summary>
    public sealed class Streaming<T> : IDisposable
    {
        private readonly PendingFile _file;
        private readonly StreamWriter _text;
        private readonly CsvWriter _csv;
        private readonly IReadOnlyList<TableColumn<T>> _columns;
        private readonly string[] _row;

        public Streaming(string path, IReadOnlyList<TableColumn<T>> columns)
        {
            _file = AtomicFile.Open(path);
            _text = new StreamWriter(_file.Stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            _csv = CsvWriter.Create(_text, Options, leaveOpen: true);
            _columns = columns;
            _row = new string[columns.Count];
            _csv.WriteRecord(columns.Select(c => c.Header).ToArray());
        }

        public void Add(T item)
        {
            for (int i = 0; i < _columns.Count; i++)
            {
                _row[i] = Neutralize(_columns[i].Cell(item));
            }
            _csv.WriteRecord(_row);
        }

        /// <summary>Writes a row made by <see cref="Cells"/> (on any thread, ahead of the writer).</summary>
        public void AddCells(string[] cells) => _csv.WriteRecord(cells);

        public void Commit()
        {
            CloseWriters();
            _file.Commit();
        }

        public void Dispose()
        {
            CloseWriters();
            _file.Dispose();
        }

        private bool _closed;

        private void CloseWriters()
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _csv.Dispose();
            _text.Dispose();
        }
    }
}
