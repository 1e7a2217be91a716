using ScottPlot;

namespace XQuant.Sim.Rendering.Charts;

/// <summary>
/// Shared look of every chart: one font (DejaVu Sans, present on Debian and in the CI image), one colour per scheme in
/// the order the schemes were given, white background, and the sizes charts are saved at.
/// </summary>
public static class ChartStyle
{
    public const string FontName = "DejaVu Sans";
    public const int Width = 1000;
    public const int Height = 640;
    public const float LabelFontSize = 11;

    /// <summary>Colour-blind-safe Tableau 10 order; a scheme keeps its colour across every chart of a report.</summary>
    private static readonly Color[] SchemeColors = new ScottPlot.Palettes.Category10().Colors;

    /// <summary>Colour of things shared by every scheme (e.g. the weight GEMMs on a roofline).</summary>
    public static readonly Color Shared = Color.FromHex("#7f7f7f");

    public static readonly Color Roof = Color.FromHex("#222222");

    public static Color ForScheme(int index) => SchemeColors[index % SchemeColors.Length];

    /// <summary>Fonts, sizes and a white background; called once per new plot.</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Title(title, 16);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        plot.Legend.FontName = FontName;
        plot.Legend.FontSize = 11;
        plot.Grid.MajorLineColor = Color.FromHex("#e5e5e5");
        // ScottPlot's default labels use the current culture's group separator ("1,050" or "1.050"); plain invariant numbers instead.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Invariant };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Invariant };
        return plot;
    }

    public static string Invariant(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Applies the font to a text plottable (ScottPlot picks a font per plottable).</summary>
    public static void Font(ScottPlot.Plottables.Text text, float size, Color color)
    {
        text.LabelFontName = FontName;
        text.LabelFontSize = size;
        text.LabelFontColor = color;
    }
}
