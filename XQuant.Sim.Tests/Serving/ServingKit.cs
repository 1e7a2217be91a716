using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.Serving;

/// <summary>Shared setups for the serving tests: the shipped 8B model on the H100 profile, and the tiny model on the round profile.</summary>
internal static class ServingKit
{
    public static readonly Lazy<Domain.Models.ModelConfig> Llama8b = new(() => TestData.Model("llama-3.1-8b"));
    public static readonly Lazy<Domain.Hardware.HardwareProfile> H100 = new(() => TestData.Hardware("h100-sxm"));

    public static Workload Template(string scheme) => new(Llama8b.Value, H100.Value, TestData.Scheme(scheme), WeightPrecision.Bf16, 1, 1);

    public static Workload Tiny(string scheme = "fp16") => new(TestData.TinyMha, TestData.Round, TestData.Scheme(scheme), WeightPrecision.Bf16, 1, 1);

    public static double Step(Workload w, double batch, double context, Phase phase, bool overlapped = true)
    {
        var s = Roofline.Step(w with { Batch = batch, ContextTokens = context, Phase = phase });
        return overlapped ? s.OverlappedSec : s.SerialSec;
    }

    public static ServingSimulator Simulator(Workload w, SchedulerConfig config, Func<PoolPlan, PoolPlan>? pool = null, bool overlapped = true)
    {
        var plan = PoolPlan.For(w, config.BlockTokens, config.MaxBatchedTokens);
        return new ServingSimulator(new IterationCoster(w, overlapped), pool is null ? plan : pool(plan), config);
    }

    public static ArrivalSpec Trace(params (double Arrival, int Input, int Output)[] rows) =>
        new(ArrivalKind.Trace, rows.Length, new LengthSpec(1, 1), new LengthSpec(1, 1), 0,
            Trace: rows.Select((r, i) => new ServingRequest(i, r.Arrival, r.Input, r.Output)).ToList());

    /// <summary>
    /// B decode sequences at one context, combined op by op (weights once, the rest summed), are the ledger at batch
    /// B; so are min(B, 8) prefill chunks of that context.
    /// </summary>
    public static void UniformBatchesAreTheLedger(Workload w, IterationCoster coster, bool overlapped, params (int Batch, int Context)[] cases)
    {
        foreach (var (batch, context) in cases)
        {
            var acc = coster.NewAccumulator();
            for (int i = 0; i < batch; i++)
            {
                IterationCoster.Add(acc, coster.Decode(context));
            }
            Near(Step(w, batch, context, Phase.Decode, overlapped), coster.TimeSec(acc), 1e-9, $"decode b={batch} l={context}");
            var prefill = coster.NewAccumulator();
            for (int i = 0; i < Math.Min(batch, 8); i++)
            {
                IterationCoster.Add(prefill, coster.Chunk(0, context, samples: true));
            }
            Near(Step(w, Math.Min(batch, 8), context, Phase.Prefill, overlapped), coster.TimeSec(prefill), 1e-9, $"prefill b={Math.Min(batch, 8)} l={context}");
        }
    }

    public static void Near(double expected, double actual, double relative = 1e-9, string? what = null) =>
        Assert.AreEqual(expected, actual, Math.Abs(expected) * relative, what);
}
