namespace XQuant.Sim.Studies.Published;

/// <summary>
/// Nelder-Mead simplex minimisation (standard coefficients 1, 2, 0.5, 0.5) on an unconstrained vector; bounds are the
/// caller's business (the fitter maps each bounded parameter through a logistic). Deterministic: no randomness.
/// </summary>
public static class NelderMead
{
    public static double[] Minimize(Func<double[], double> f, double[] start, double step, int maxEvaluations, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(start);
        int n = start.Length;
        var points = new double[n + 1][];
        var values = new double[n + 1];
        points[0] = (double[])start.Clone();
        for (int i = 0; i < n; i++)
        {
            points[i + 1] = (double[])start.Clone();
            points[i + 1][i] += step;
        }
        int evaluations = 0;
        double Eval(double[] x)
        {
            evaluations++;
            double v = f(x);
            return double.IsFinite(v) ? v : double.MaxValue;
        }
        for (int i = 0; i <= n; i++)
        {
            values[i] = Eval(points[i]);
        }
        while (evaluations < maxEvaluations)
        {
            var order = Enumerable.Range(0, n + 1).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
            points = order.Select(i => points[i]).ToArray();
            values = order.Select(i => values[i]).ToArray();
            if (Math.Abs(values[n] - values[0]) <= tolerance * (Math.Abs(values[0]) + tolerance))
            {
                break;
            }
            var centroid = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < n; k++)
                {
                    centroid[k] += points[i][k] / n;
                }
            }
            double[] Along(double t) => centroid.Select((c, k) => c + t * (points[n][k] - c)).ToArray();
            var reflected = Along(-1);
            double fr = Eval(reflected);
            if (fr < values[0])
            {
                var expanded = Along(-2);
                double fe = Eval(expanded);
                (points[n], values[n]) = fe < fr ? (expanded, fe) : (reflected, fr);
            }
            else if (fr < values[n - 1])
            {
                (points[n], values[n]) = (reflected, fr);
            }
            else
            {
                var contracted = fr < values[n] ? Along(-0.5) : Along(0.5);
                double fc = Eval(contracted);
                if (fc < Math.Min(fr, values[n]))
                {
                    (points[n], values[n]) = (contracted, fc);
                }
                else
                {
                    for (int i = 1; i <= n; i++)
                    {
                        points[i] = points[i].Select((x, k) => points[0][k] + 0.5 * (x - points[0][k])).ToArray();
                        values[i] = Eval(points[i]);
                    }
                }
            }
        }
        int best = Enumerable.Range(0, n + 1).OrderBy(i => values[i]).First();
        return points[best];
    }
}
