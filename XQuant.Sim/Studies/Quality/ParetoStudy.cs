using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Quality;

/// <summary>Every scheme with a quality figure for one model and dataset, costed on one device and workload.</summary>
public sealed record ParetoStudy(ModelConfig Model, HardwareProfile Hardware, string Dataset, double Batch, double ContextTokens, IReadOnlyList<ParetoPoint> Points, IReadOnlyList<bool> Front)
{
    public static ParetoStudy Build(ModelConfig model, HardwareProfile hw, IReadOnlyList<QualityPoint> quality, string dataset, double batch, double context)
    {
        var rows = quality.Where(q => q.Model == model.Id && q.Dataset == dataset).ToList();
        var fp16 = rows.FirstOrDefault(q => q.Method == "fp16")
            ?? throw new InputException("--model", "", $"no FP16 perplexity for {model.Id} on {dataset} in the quality data (models with data: {string.Join(", ", quality.Select(q => q.Model).Distinct().Order(StringComparer.Ordinal))})");
        var points = new List<ParetoPoint>();
        foreach (var q in rows.OrderBy(q => q.Table).ThenBy(q => q.Method, StringComparer.Ordinal).ThenByDescending(q => q.Bits))
        {
            var errors = new List<string>();
            var scheme = SchemeRegistry.TryParse(PaperQuality.SchemeSpec(q, model), errors)
                ?? throw new InvalidOperationException(string.Join("; ", errors));
            string label = q.Method == "kvquant" ? $"kvquant:{q.Bits} (sized as {scheme.Spec})" : scheme.Spec;
            if (points.Any(p => p.Label == label))
            {
                continue;
            }
            var cost = CaseCoster.Cost(new Workload(model, hw, scheme, WeightPrecision.Bf16, batch, context));
            points.Add(new ParetoPoint(label, cost, q, fp16.Perplexity));
        }
        return new ParetoStudy(model, hw, dataset, batch, context, points, Pareto.NonDominated(points));
    }
}
