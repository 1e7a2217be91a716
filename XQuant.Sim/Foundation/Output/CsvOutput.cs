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

    /// <summary>
    /// One row as its finished CSV line (cells neutralized, quoted by CsvHelper, LF-ended): pure, so worker threads
    /// format rows ahead of the writer, which only copies text. A line is the same bytes <see cref="Write"/> makes.
    /// </summary>
    public static string Line<T>(IReadOnlyList<TableColumn<T>> columns, T item)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var cells = new string[columns.Count];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = Neutralize(columns[i].Cell(item));
        }
        return (_lines ??= new LineFormatter()).Format(cells);
    }

    // One formatter per thread: a CsvWriter per line allocated more than the case it formats.
    [ThreadStatic]
    private static LineFormatter? _lines;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as its thread; a StringWriter holds no unmanaged resource.")]
    private sealed class LineFormatter
    {
        private readonly StringWriter _text = new(System.Globalization.CultureInfo.InvariantCulture);
        private readonly CsvWriter _csv;

        // One formatter serves every table its thread writes, so CsvHelper's per-writer field count check is off;
        // a line's cells come from its table's column list, one per column.
        private static readonly CsvWriterOptions LineOptions = new() { NewLine = "\n", ValidateFieldCount = false };

        public LineFormatter() => _csv = CsvWriter.Create(_text, LineOptions, leaveOpen: true);

        public string Format(string[] cells)
        {
            _csv.WriteRecord(cells);
            _csv.Flush();
            var sb = _text.GetStringBuilder();
            string line = sb.ToString();
            sb.Clear();
            return line;
        }
    }

    /// <summary>A CSV file written row by row under a temporary name; it appears only when <see cref="Commit"/> is called.</summary>
    public sealed class Streaming<T> : IDisposable
    {
        private readonly PendingFile _file;
        private readonly StreamWriter _text;
        private readonly IReadOnlyList<TableColumn<T>> _columns;

        public Streaming(string path, IReadOnlyList<TableColumn<T>> columns)
        {
            _file = AtomicFile.Open(path);
            _text = new StreamWriter(_file.Stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            _columns = columns;
            _text.Write((_lines ??= new LineFormatter()).Format(columns.Select(c => c.Header).ToArray()));
        }

        public void Add(T item) => _text.Write(Line(_columns, item));

        /// <summary>Lines made by <see cref="Line"/> (one or more, each LF-ended), written as they are.</summary>
        public void AddLines(string lines) => _text.Write(lines);

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
            _text.Dispose();
        }
    }
}
