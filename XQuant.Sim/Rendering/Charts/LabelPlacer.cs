namespace XQuant.Sim.Rendering.Charts;

/// <summary>An axis-aligned rectangle in pixels (y grows downwards, as on screen).</summary>
public readonly record struct PixelBox(double Left, double Top, double Width, double Height)
{
    public double Right => Left + Width;
    public double Bottom => Top + Height;

    public bool Intersects(PixelBox o) => Left < o.Right && o.Left < Right && Top < o.Bottom && o.Top < Bottom;

    public bool Inside(PixelBox outer) => Left >= outer.Left && Right <= outer.Right && Top >= outer.Top && Bottom <= outer.Bottom;

    public static PixelBox Around(double x, double y, double half) => new(x - half, y - half, 2 * half, 2 * half);
}

/// <summary>A label to place next to an anchor point (pixels).</summary>
public sealed record LabelRequest(double AnchorX, double AnchorY, string Text, float FontSize)
{
    /// <summary>Scheme whose colour the text takes; -1 for neutral text.</summary>
    public int ColorIndex { get; init; } = -1;
}

/// <summary>Where a label went: its box (pixels) and whether it sits away from its point (then a leader line is drawn).</summary>
public sealed record PlacedLabel(LabelRequest Request, PixelBox Box, bool Far);

/// <summary>
/// Greedy label placement: each label tries positions around its point, nearest ring first, and takes the first
/// one that stays inside the plot and overlaps no other label, marker, legend or line already there. Text size is
/// estimated from the font size (DejaVu Sans averages about 0.6 em per character), with a safety margin.
/// </summary>
public static class LabelPlacer
{
    public const double CharWidthEm = 0.62;
    public const double LineHeightEm = 1.3;
    public const double Padding = 3;

    public static PixelBox Measure(string text, float fontSize)
    {
        string[] lines = text.Split('\n');
        double w = lines.Max(l => l.Length) * fontSize * CharWidthEm + 2 * Padding;
        double h = lines.Length * fontSize * LineHeightEm + 2 * Padding;
        return new PixelBox(0, 0, w, h);
    }

    public static IReadOnlyList<PlacedLabel> Place(IReadOnlyList<LabelRequest> labels, PixelBox bounds, IEnumerable<PixelBox> obstacles)
    {
        var taken = obstacles.ToList();
        var placed = new List<PlacedLabel>();
        foreach (var label in labels)
        {
            var size = Measure(label.Text, label.FontSize);
            PlacedLabel? best = null;
            foreach (var (box, far) in Candidates(label, size))
            {
                if (box.Inside(bounds) && !taken.Any(t => t.Intersects(box)))
                {
                    best = new PlacedLabel(label, box, far);
                    break;
                }
            }
            if (best is null)
            {
                // Nowhere free: keep the nearest spot inside the plot; LabelPlacerTests catch this for shipped charts.
                var fallback = Candidates(label, size).FirstOrDefault(c => c.Box.Inside(bounds));
                best = new PlacedLabel(label, fallback.Box.Width > 0 ? fallback.Box : Offset(label, size, 6, 0), fallback.Far);
            }
            taken.Add(best.Box);
            placed.Add(best);
        }
        return placed;
    }

    /// <summary>Rings of candidate boxes around the anchor: right, left, above, below and the four diagonals.</summary>
    private static IEnumerable<(PixelBox Box, bool Far)> Candidates(LabelRequest l, PixelBox size)
    {
        double[] rings = [7, 16, 30, 48, 70, 95, 125];
        for (int r = 0; r < rings.Length; r++)
        {
            double d = rings[r];
            bool far = r >= 2;
            yield return (Offset(l, size, d, -size.Height / 2), far);                     // right
            yield return (Offset(l, size, -d - size.Width, -size.Height / 2), far);       // left
            yield return (Offset(l, size, d * 0.7, -d * 0.7 - size.Height), far);         // upper right
            yield return (Offset(l, size, d * 0.7, d * 0.7), far);                        // lower right
            yield return (Offset(l, size, -d * 0.7 - size.Width, -d * 0.7 - size.Height), far); // upper left
            yield return (Offset(l, size, -d * 0.7 - size.Width, d * 0.7), far);          // lower left
            yield return (Offset(l, size, -size.Width / 2, -d - size.Height), far);       // above
            yield return (Offset(l, size, -size.Width / 2, d), far);                      // below
        }
    }

    private static PixelBox Offset(LabelRequest l, PixelBox size, double dx, double dy) =>
        new(l.AnchorX + dx, l.AnchorY + dy, size.Width, size.Height);

    /// <summary>Small boxes along a straight pixel segment, so labels keep off lines.</summary>
    public static IEnumerable<PixelBox> AlongSegment(double x0, double y0, double x1, double y1, double half = 2)
    {
        double len = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
        int n = Math.Max(1, (int)(len / 6));
        for (int i = 0; i <= n; i++)
        {
            double t = (double)i / n;
            yield return PixelBox.Around(x0 + t * (x1 - x0), y0 + t * (y1 - y0), half);
        }
    }
}
