using System.Text;

namespace XQuant.Sim.Foundation.Text;

/// <summary>A column: header (snake_case with unit), the legend printed under Markdown tables, and a cell renderer.</summary>
public sealed record TableColumn<T>(string Header, string Legend, Func<T, string> Cell, bool AlignRight = true);

/// <summary>
/// Rows rendered once into cells, then shown as aligned console text, Markdown (with legends) or CSV. No
/// renderer recomputes anything: they all read the same cells.
/// </summary>
public sealed class TextTable
{
    public TextTable(IReadOnlyList<string> headers, IReadOnlyList<string> legends, IReadOnlyList<bool> alignRight, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Headers = headers;
        Legends = legends;
        AlignRight = alignRight;
        Rows = rows;
    }

    public IReadOnlyList<string> Headers { get; }
    public IReadOnlyList<string> Legends { get; }
    public IReadOnlyList<bool> AlignRight { get; }
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    public static TextTable Build<T>(IReadOnlyList<TableColumn<T>> columns, IEnumerable<T> items) =>
        new(
            columns.Select(c => c.Header).ToList(),
            columns.Select(c => c.Legend).ToList(),
            columns.Select(c => c.AlignRight).ToList(),
            items.Select(i => (IReadOnlyList<string>)columns.Select(c => c.Cell(i)).ToList()).ToList());

    public string ToConsole()
    {
        int[] widths = Headers.Select((h, i) => Math.Max(h.Length, Rows.Count == 0 ? 0 : Rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        AppendLine(sb, Headers, widths);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in Rows)
        {
            AppendLine(sb, row, widths);
        }
        return sb.ToString();
    }

    private void AppendLine(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                sb.Append("  ");
            }
            sb.Append(AlignRight[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }
        sb.Append('\n');
    }

    public string ToMarkdown(bool withLegend = true)
    {
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", Headers.Select(Escape))).Append(" |\n");
        sb.Append('|').Append(string.Join("|", AlignRight.Select(r => r ? "---:" : ":---"))).Append("|\n");
        foreach (var row in Rows)
        {
            sb.Append("| ").Append(string.Join(" | ", row.Select(Escape))).Append(" |\n");
        }
        if (withLegend)
        {
            sb.Append('\n');
            for (int i = 0; i < Headers.Count; i++)
            {
                if (!string.IsNullOrEmpty(Legends[i]))
                {
                    sb.Append("- `").Append(Headers[i]).Append("`: ").Append(Legends[i]).Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
