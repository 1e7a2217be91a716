using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// Fits engine efficiencies: a pooled "default" entry on every row, then one entry per engine family, each the
/// minimiser of a robust (soft-L1) loss on log(predicted / measured) plus a shrinkage toward the pooled entry. Every
/// parameter stays inside its physical bound (<see cref="EngineEfficiency.Bounds"/>) through a logistic map. Leave-one-out
/// refits the pooled and the engine entry without each row and predicts that row, so overfitting shows.
/// </summary>
public static class EfficiencyFitter
{
    /// <summary>Typical values the pooled fit is weakly pulled toward: a tuned engine's decode stream and GEMMs, ~1 ms per step.</summary>
    public static readonly EngineEfficiency PriorCenter = new("prior", null, 0.8, 0.6, 1e-3, 10e-6);

    public const string Method =
        "soft-L1 least squares on log(predicted/measured) of the analytic steady-state predictor; parameters bounded by a logistic map; "
        + "pooled 'default' entry weakly pulled to typical values, engine entries shrunk toward the pooled one";

    public static FitResult Fit(IReadOnlyList<FitPoint> points, FitOptions? options = null, string fittedOn = "", bool leaveOneOut = true)
    {
        ArgumentNullException.ThrowIfNull(points);
        var o = options ?? new FitOptions();
        var (set, _) = FitSet(points, o, fittedOn);
        var rows = new List<FitRowResult>();
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var inSample = set.For(p.Engine, p.Vendor);
            double looPredicted = double.NaN;
            string looEntry = "";
            if (leaveOneOut)
            {
                var rest = points.Where((_, j) => j != i).ToList();
                var (looSet, _) = FitSet(rest, o, fittedOn);
                var e = looSet.For(p.Engine, p.Vendor);
                looPredicted = p.Prediction.Predict(e);
                looEntry = e.Label;
            }
            rows.Add(new FitRowResult(p, inSample.Label, p.Prediction.Predict(inSample), looPredicted, looEntry));
        }
        return new FitResult(set, rows);
    }

    /// <summary>The pooled entry and one entry per engine that has rows, without leave-one-out.</summary>
    public static (EngineEfficiencySet Set, EngineEfficiency Pooled) FitSet(IReadOnlyList<FitPoint> points, FitOptions o, string fittedOn)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(o);
        var center = ToU(PriorCenter.ToVector());
        var pooledU = Minimize(points, center, o.PriorWeight, o);
        var pooled = EngineEfficiency.FromVector(EngineEfficiency.DefaultEngine, null, FromU(pooledU), points.Count);
        var entries = new List<EngineEfficiency> { pooled };
        foreach (var group in points.GroupBy(p => p.Engine.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToList();
            var u = Minimize(members, pooledU, o.EngineShrink, o);
            entries.Add(EngineEfficiency.FromVector(group.Key, null, FromU(u), members.Count));
        }
        return (new EngineEfficiencySet(entries, Method, fittedOn), pooled);
    }

    private static double[] Minimize(IReadOnlyList<FitPoint> points, double[] prior, double weight, FitOptions o)
    {
        double Loss(double[] u)
        {
            var e = EngineEfficiency.FromVector("fit", null, FromU(u), 0);
            double loss = 0;
            foreach (var p in points)
            {
                double r = Math.Log(p.Prediction.Predict(e) / p.Measured) / o.HuberScale;
                loss += 2 * (Math.Sqrt(1 + r * r) - 1);
            }
            loss *= o.HuberScale * o.HuberScale;
            for (int k = 0; k < u.Length; k++)
            {
                loss += weight * (u[k] - prior[k]) * (u[k] - prior[k]);
            }
            return loss;
        }
        var best = NelderMead.Minimize(Loss, prior, 1.0, o.MaxEvaluations);
        // A restart from the first optimum with a smaller simplex escapes the occasional collapsed simplex.
        return NelderMead.Minimize(Loss, best, 0.25, o.MaxEvaluations);
    }

    /// <summary>Logistic coordinates of bounded parameters (and back).</summary>
    public static double[] ToU(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var u = new double[p.Count];
        for (int k = 0; k < p.Count; k++)
        {
            var b = EngineEfficiency.Bounds[k];
            double s = Math.Clamp((p[k] - b.Min) / (b.Max - b.Min), 1e-6, 1 - 1e-6);
            u[k] = Math.Log(s / (1 - s));
        }
        return u;
    }

    public static double[] FromU(IReadOnlyList<double> u)
    {
        ArgumentNullException.ThrowIfNull(u);
        var p = new double[u.Count];
        for (int k = 0; k < u.Count; k++)
        {
            var b = EngineEfficiency.Bounds[k];
            p[k] = b.Min + (b.Max - b.Min) / (1 + Math.Exp(-u[k]));
        }
        return p;
    }
}
