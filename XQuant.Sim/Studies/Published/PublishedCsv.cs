using System.Globalization;
using CsvHelper;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// Reads a published-perf CSV. Every problem is one line naming the file, the row (number and id) and the column;
/// all are collected before anything is thrown, so a user fixes a file in one pass. Only what a row states is kept:
/// an empty count stays null. Whether xqsim can model a well-formed row (its hardware, model, weights) is decided
/// later and reported as a status, never as an input error.
/// </summary>
public static class PublishedCsv
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "id", "hardware", "devices", "model", "weights", "weight_bits", "kv", "engine", "framework", "mode", "batch",
        "concurrency", "input_tokens", "output_tokens", "metric", "value", "source", "quote", "notes",
    ];

    public static IReadOnlyList<PublishedRow> Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputException(path, "", "is a directory, expected a CSV file");
        }
        if (!File.Exists(path))
        {
            throw new InputException(path, "", "file not found");
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, "", $"cannot be read ({e.Message})");
        }
        return Parse(path, text);
    }

    public static IReadOnlyList<PublishedRow> Parse(string source, string text)
    {
        var errors = new List<InputError>();
        var rows = new List<PublishedRow>();
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InputException(source, "", "file is empty, expected a header line and rows");
        }
        try
        {
            using var reader = CsvReader.FromText(text, new CsvReaderOptions());
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string c in Columns)
            {
                if (reader.TryGetFieldIndex(c, out int i))
                {
                    index[c] = i;
                }
                else
                {
                    errors.Add(new InputError(source, $"column {c}", $"is missing from the header (columns: {string.Join(",", Columns)})"));
                }
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            var ids = new HashSet<string>(StringComparer.Ordinal);
            int line = 0;
            while (reader.Read())
            {
                line++;
                var r = new RowReader(source, line, reader, index, errors);
                var row = r.Row();
                if (row is null)
                {
                    continue;
                }
                if (!ids.Add(row.Id))
                {
                    r.Error("id", $"'{JsonFields.Truncate(row.Id)}' appears twice in the file");
                    continue;
                }
                rows.Add(row);
            }
        }
        catch (InputException)
        {
            throw;
        }
        catch (Exception e) when (e is CsvFormatException or CsvValidationException or FormatException or InvalidDataException)
        {
            errors.Add(new InputError(source, "", $"is not valid CSV ({e.Message})"));
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        if (rows.Count == 0)
        {
            throw new InputException(source, "", "has a header but no rows");
        }
        return rows;
    }

    /// <summary>Reads the fields of one row, appending one error per bad column.</summary>
    private sealed class RowReader(string source, int line, CsvReader reader, Dictionary<string, int> index, List<InputError> errors)
    {
        private string _id = "";
        private int _before;

        public void Error(string column, string message) =>
            errors.Add(new InputError(source, $"row {line.ToString(CultureInfo.InvariantCulture)} ({(_id.Length == 0 ? "no id" : JsonFields.Truncate(_id))}), column {column}", message));

        private string Cell(string column)
        {
            int i = index[column];
            return i < reader.FieldCount ? (reader.GetString(i) ?? "").Trim() : "";
        }

        private string Required(string column)
        {
            string s = Cell(column);
            if (s.Length == 0)
            {
                Error(column, "is empty (required)");
            }
            return s;
        }

        private long? Count(string column, long min, bool required = false)
        {
            string s = Cell(column);
            if (s.Length == 0)
            {
                if (required)
                {
                    Error(column, "is empty (a whole number is required)");
                }
                return null;
            }
            if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > 1L << 40)
            {
                Error(column, $"'{JsonFields.Truncate(s)}' must be a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {(1L << 40).ToString(CultureInfo.InvariantCulture)}");
                return null;
            }
            return v;
        }

        private double? Positive(string column, bool required)
        {
            string s = Cell(column);
            if (s.Length == 0)
            {
                if (required)
                {
                    Error(column, "is empty (a positive number is required)");
                }
                return null;
            }
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0)
            {
                Error(column, $"'{JsonFields.Truncate(s)}' must be a positive finite number");
                return null;
            }
            return v;
        }

        public PublishedRow? Row()
        {
            _before = errors.Count;
            _id = Cell("id");
            if (_id.Length == 0)
            {
                Error("id", "is empty (required)");
            }
            string hardware = Required("hardware");
            long? devices = Count("devices", 1, required: true);
            string model = Required("model");
            string weights = Required("weights");
            double? weightBits = Positive("weight_bits", required: false);
            if (weightBits > 32)
            {
                Error("weight_bits", "must be at most 32 bits per weight");
            }
            string kv = Cell("kv");
            string engine = Required("engine");
            string modeText = Required("mode");
            PublishedMode mode = default;
            if (modeText.Length > 0 && !PublishedModes.TryParse(modeText, out mode))
            {
                Error("mode", $"'{JsonFields.Truncate(modeText)}' is not a mode (allowed: {string.Join(", ", PublishedModes.Names)})");
            }
            long? batch = Count("batch", 1);
            long? concurrency = Count("concurrency", 1);
            long? input = Count("input_tokens", 0);
            long? output = Count("output_tokens", 1);
            string metricText = Required("metric");
            PublishedMetric metric = default;
            if (metricText.Length > 0 && !PublishedMetrics.TryParse(metricText, out metric))
            {
                Error("metric", $"'{JsonFields.Truncate(metricText)}' is not a metric (allowed: {string.Join(", ", PublishedMetrics.Names)})");
            }
            double? value = Positive("value", required: true);
            string src = Required("source");
            if (errors.Count > _before)
            {
                return null;
            }
            return new PublishedRow
            {
                Id = _id,
                Line = line,
                Hardware = hardware,
                Devices = (int)Math.Min(devices!.Value, int.MaxValue),
                Model = model,
                Weights = weights,
                WeightBits = weightBits,
                Kv = kv.Length == 0 ? "unstated" : kv,
                Engine = engine,
                Framework = Cell("framework"),
                Mode = mode,
                Batch = batch,
                Concurrency = concurrency,
                InputTokens = input,
                OutputTokens = output,
                Metric = metric,
                Value = value!.Value,
                Source = src,
                Quote = Cell("quote"),
                Notes = Cell("notes"),
            };
        }
    }
}
