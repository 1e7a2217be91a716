using ScottPlot;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>Renders a chart as PNG or SVG, chosen by the file extension, into an <see cref="OutputFile"/>.</summary>
public static partial class ChartFile
{
    public static readonly string[] Extensions = [".png", ".svg"];

    /// <summary>Throws <see cref="InputException"/> (exit 2) for an extension other than .png or .svg.</summary>
    public static void CheckExtension(string path, string source)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (!Extensions.Contains(ext))
        {
            throw new InputException(source, "", $"'{JsonFields.Truncate(path)}' must end in .png or .svg (the chart format follows the extension)");
        }
    }

    /// <summary>The chart as an output file, PNG or SVG by the extension of <paramref name="path"/>, rendered now (one plot, one render).</summary>
    public static OutputFile Output(string path, Plot plot, int width, int height)
    {
        CheckExtension(path, "--out");
        return Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)
            ? OutputFile.Text(path, Svg(plot, width, height))
            : OutputFile.Bytes(path, Png(plot, width, height));
    }

    public static byte[] Png(Plot plot, int width, int height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>
    /// SVG through Skia's SVG canvas, which cannot draw dash patterns (it prints "Unsupported path effect" to the
    /// process's stdout for each): lines are made solid first, so SVG charts show dashed roofs as solid lines.
    /// </summary>
    public static string Svg(Plot plot, int width, int height)
    {
        foreach (var p in plot.GetPlottables())
        {
            switch (p)
            {
                case ScottPlot.Plottables.Scatter s:
                    s.LinePattern = LinePattern.Solid;
                    break;
                case ScottPlot.Plottables.AxisLine a:
                    a.LinePattern = LinePattern.Solid;
                    break;
                case ScottPlot.Plottables.LinePlot l:
                    l.LinePattern = LinePattern.Solid;
                    break;
                default:
                    break;
            }
        }
        return StableIds(plot.GetSvgXml(width, height));
    }

    /// <summary>
    /// Skia numbers clip paths from a process-wide counter (cl_2b4, ...); renumbering them in order of appearance
    /// makes the same chart give byte-identical SVG in any process and at any point of it.
    /// </summary>
    public static string StableIds(string svg)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        return ClipId().Replace(svg, m =>
        {
            if (!map.TryGetValue(m.Value, out string? id))
            {
                id = "cl_" + (map.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                map[m.Value] = id;
            }
            return id;
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bcl_[0-9a-f]+\b")]
    private static partial System.Text.RegularExpressions.Regex ClipId();
}
