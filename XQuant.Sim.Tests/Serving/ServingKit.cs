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

    public static void Near(double expected, double actual, double relative = 1e-9, string? what = null) =>
        Assert.AreEqual(expected, actual, Math.Abs(expected) * relative, what);
}
