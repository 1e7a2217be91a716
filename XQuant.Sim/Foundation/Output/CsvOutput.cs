using CsvHelper;
using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Foundation.Output;

/// <summary>Writes tables as CSV with CsvHelper: snake_case headers with units, bare invariant numbers, LF endings.</summary>
public static class CsvOutput
{
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
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        destination.Write(NeutralLine(headers));
        foreach (var row in rows)
        {
            if (row.Count != headers.Count)
            {
                throw new InvalidOperationException($"a CSV row has {row.Count} cells for {headers.Count} columns");
            }
            destination.Write(NeutralLine(row));
        }
        destination.Flush();
    }

    /// <summary>
    /// One row as its finished CSV line (cells neutralized, quoted by CsvHelper, LF-ended): pure, so worker threads
    /// format rows ahead of the writer, which only copies text. Every CSV xqsim writes is made of these lines.
    /// </summary>
    public static string Line<T>(IReadOnlyList<TableColumn<T>> columns, T item)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var cells = new string[columns.Count];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = Neutralize(columns[i].Cell(item));
        }
        return Lines.Format(cells);
    }

    private static string NeutralLine(IReadOnlyList<string> cells)
    {
        var neutral = new string[cells.Count];
        for (int i = 0; i < neutral.Length; i++)
        {
            neutral[i] = Neutralize(cells[i]);
        }
        return Lines.Format(neutral);
    }

    // One formatter per thread: a CsvWriter per line allocated more than the case it formats.
    [ThreadStatic]
    private static LineFormatter? _lines;

    private static LineFormatter Lines => _lines ??= new LineFormatter();

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as its thread; a StringWriter holds no unmanaged resource.")]
    private sealed class LineFormatter
    {
        // One formatter serves every table its thread writes, so CsvHelper's per-writer field count check is off;
        // Write checks each row against its header instead, and Line makes one cell per column.
        private static readonly CsvWriterOptions Options = new() { NewLine = "\n", ValidateFieldCount = false };

        private readonly StringWriter _text = new(System.Globalization.CultureInfo.InvariantCulture);
        private readonly CsvWriter _csv;

        public LineFormatter() => _csv = CsvWriter.Create(_text, Options, leaveOpen: true);

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
            _text.Write(NeutralLine(columns.Select(c => c.Header).ToArray()));
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
