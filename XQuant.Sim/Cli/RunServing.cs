using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Serving;
using XQuant.Sim.Studies.Scenarios;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Cli;

/// <summary>
/// The serving part of `xqsim run`: for a scenario with a "serving" block, one simulation per model x hardware x
/// weights over the scenario's schemes, written to serving/MODEL-HARDWARE-WEIGHTS/ under the run's folder, with the
/// verdict printed.
/// </summary>
public static class RunServing
{
    /// <summary>Runs every serving case and writes its files into the run's output set; returns their paths.</summary>
    public static IReadOnlyList<string> Run(CliContext ctx, Scenario scenario, OutputFolder output, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(output);
        var written = new List<string>();
        if (scenario.Serving is not { } serving)
        {
            return written;
        }
        var prices = PriceTable.Load(PriceTable.DefaultPath);
        string[] charts = scenario.Outputs.Contains(OutputKind.Charts) ? [".png", ".svg"] : [];
        foreach (var m in scenario.Models)
        {
            foreach (var hw in scenario.Hardware)
            {
                foreach (var weights in scenario.Weights)
                {
                    ctx.Cancel.ThrowIfCancellationRequested();
                    var template = new Workload(m, hw, scenario.Schemes[0], weights, 1, 1, RuntimeReserveFraction: scenario.RuntimeReserveFraction, Parallel: scenario.Plan(hw))
                    {
                        Speculation = ServingSpeculation.Effective(scenario.Speculation.GetValueOrDefault(m.Id)),
                    };
                    var price = prices.For(hw);
                    var plan = serving.Plan(template, scenario.Schemes, price?.UsdPerDeviceHour, price?.Describe());
                    var empty = scenario.Schemes.Where(s => PoolPlan.For(template with { Scheme = s }, plan.Config.BlockTokens, plan.Config.MaxBatchedTokens).TotalBlocks == 0).ToList();
                    string arrivals = plan.Arrivals.Kind == ArrivalKind.Poisson && plan.Rates.Count > 0
                        ? $"Poisson at {string.Join(", ", plan.Rates.Select(r => Formats.Sig(r)))} req/s"
                        : plan.Rates.Count == 0 && plan.Arrivals.Kind == ArrivalKind.Poisson ? "max-rate search only" : plan.Arrivals.Describe();
                    ctx.Out.WriteLine($"serving: {m.Id} on {hw.Id}{(template.Plan.IsSingle ? "" : $" (TP {template.Plan.TensorParallel} x PP {template.Plan.PipelineParallel})")}, {weights.Name()} weights, {plan.Arrivals.Requests} requests of {serving.InputTokens} in / {serving.OutputTokens} out, {arrivals}{(template.Speculation is { } sp ? $", speculative decoding {sp.Spec}" : "")}:");
                    if (empty.Count > 0)
                    {
                        ctx.Out.WriteLine($"  skipped: no cache pool left for {string.Join(", ", empty.Select(s => s.Spec))} (weights + activations + reserve fill the device)");
                        plan = plan with { Schemes = scenario.Schemes.Except(empty).ToList() };
                        if (plan.Schemes.Count == 0)
                        {
                            continue;
                        }
                    }
                    Action<string>? progress = ctx.ProgressToTerminal ? line => ctx.Error.Write($"\r\u001b[K{line}") : null;
                    var result = ServingStudy.Run(plan, threads, progress, ctx.Cancel);
                    if (progress is not null)
                    {
                        ctx.Error.Write("\r\u001b[K");
                    }
                    foreach (string line in ServingMarkdown.Verdict(result))
                    {
                        ctx.Out.WriteLine($"  {line}");
                    }
                    string caseDir = Path.Combine("serving", $"{m.Id}-{hw.Id}-{weights.Name()}");
                    written.AddRange(output.Write(ServingReport.Files(result, charts, ctx.Cancel).Select(f => f with { RelativePath = Path.Combine(caseDir, f.RelativePath) })));
                }
            }
        }
        return written;
    }
}
