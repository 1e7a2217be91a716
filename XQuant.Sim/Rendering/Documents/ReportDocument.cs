using System.Text;
using XQuant.Sim.Rendering.Charts;

using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Documents;

/// <summary>A block of a report. Text may use **bold** and `code`; both renderers understand those two marks.</summary>
public abstract record ReportBlock;

public sealed record HeadingBlock(int Level, string Text) : ReportBlock;

public sealed record ParagraphBlock(string Text) : ReportBlock;

public sealed record BulletsBlock(IReadOnlyList<string> Items) : ReportBlock;

public sealed record TableBlock(TextTable Table) : ReportBlock;

public sealed record FigureBlock(ChartFigure Figure) : ReportBlock;

/// <summary>
/// A report built once from finished results and rendered many ways (Markdown here, HTML in
/// <see cref="HtmlRenderer"/>). Holds no timestamps and no absolute paths, so renders are byte-for-byte repeatable.
/// </summary>
public sealed record ReportDocument(string Title, IReadOnlyList<ReportBlock> Blocks)
{
    public IEnumerable<ChartFigure> Figures => Blocks.OfType<FigureBlock>().Select(b => b.Figure);

    /// <summary>Markdown; figures link to <paramref name="imagePath"/>(figure), a path relative to the document.</summary>
    public string ToMarkdown(Func<ChartFigure, string> imagePath)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Title).Append("\n\n");
        foreach (var block in Blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    sb.Append(new string('#', h.Level)).Append(' ').Append(h.Text).Append("\n\n");
                    break;
                case ParagraphBlock p:
                    sb.Append(p.Text).Append("\n\n");
                    break;
                case BulletsBlock b:
                    foreach (string item in b.Items)
                    {
                        sb.Append("- ").Append(item).Append('\n');
                    }
                    sb.Append('\n');
                    break;
                case TableBlock t:
                    sb.Append(t.Table.ToMarkdown(withLegend: false)).Append('\n');
                    break;
                case FigureBlock f:
                    sb.Append("![").Append(f.Figure.Caption).Append("](").Append(imagePath(f.Figure)).Append(")\n\n");
                    sb.Append('*').Append(f.Figure.Caption).Append("*\n\n");
                    break;
                default:
                    throw new InvalidOperationException($"unknown block {block.GetType().Name}");
            }
        }
        return sb.ToString();
    }
}
