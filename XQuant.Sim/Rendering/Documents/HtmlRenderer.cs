using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using XQuant.Sim.Rendering.Charts;

using XQuant.Sim.Foundation.Text;

namespace XQuant.Sim.Rendering.Documents;

/// <summary>
/// Renders a <see cref="ReportDocument"/> as one self-contained HTML page: inline CSS, charts embedded as base64 PNG,
/// no scripts and no external requests, so it opens offline.
/// </summary>
public static partial class HtmlRenderer
{
    private const string Css = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; line-height: 1.45; }
        h1 { font-size: 1.7em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em; }
        table { border-collapse: collapse; margin: .8em 0; font-size: .9em; display: block; overflow-x: auto; }
        th, td { border: 1px solid #ccc; padding: .25em .6em; } th { background: #f3f3f3; }
        td.r { text-align: right; font-variant-numeric: tabular-nums; }
        code { background: #f3f3f3; padding: 0 .2em; }
        figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
        figcaption { font-style: italic; color: #555; }
        """;

    /// <summary>The page; <paramref name="pngOf"/> supplies each figure's PNG bytes (rendered once by the caller).</summary>
    public static string Render(ReportDocument doc, Func<ChartFigure, byte[]> pngOf)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Esc(doc.Title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(Inline(doc.Title)).Append("</h1>\n");
        foreach (var block in doc.Blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    int level = Math.Clamp(h.Level, 2, 6);
                    sb.Append("<h").Append(level).Append('>').Append(Inline(h.Text)).Append("</h").Append(level).Append(">\n");
                    break;
                case ParagraphBlock p:
                    sb.Append("<p>").Append(Inline(p.Text)).Append("</p>\n");
                    break;
                case BulletsBlock b:
                    sb.Append("<ul>\n");
                    foreach (string item in b.Items)
                    {
                        sb.Append("<li>").Append(Inline(item)).Append("</li>\n");
                    }
                    sb.Append("</ul>\n");
                    break;
                case TableBlock t:
                    AppendTable(sb, t.Table);
                    break;
                case FigureBlock f:
                    sb.Append("<figure><img alt=\"").Append(Esc(f.Figure.Caption)).Append("\" width=\"").Append(f.Figure.Width)
                        .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(pngOf(f.Figure))).Append("\">")
                        .Append("<figcaption>").Append(Inline(f.Figure.Caption)).Append("</figcaption></figure>\n");
                    break;
                default:
                    throw new InvalidOperationException($"unknown block {block.GetType().Name}");
            }
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void AppendTable(StringBuilder sb, TextTable table)
    {
        sb.Append("<table>\n<thead><tr>");
        for (int i = 0; i < table.Headers.Count; i++)
        {
            sb.Append("<th title=\"").Append(Esc(table.Legends[i])).Append("\">").Append(Esc(table.Headers[i])).Append("</th>");
        }
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            sb.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
            {
                sb.Append(table.AlignRight[i] ? "<td class=\"r\">" : "<td>").Append(Inline(row[i])).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
    }

    /// <summary>Escapes, then turns **bold**, `code` and bare http(s) URLs into markup.</summary>
    public static string Inline(string text)
    {
        string s = Esc(text);
        s = Bold().Replace(s, "<strong>$1</strong>");
        s = Code().Replace(s, "<code>$1</code>");
        s = Url().Replace(s, "<a href=\"$1\">$1</a>");
        return s;
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"(https?://[^\s<>&""]+[^\s<>&"".,;)])")]
    private static partial Regex Url();
}
