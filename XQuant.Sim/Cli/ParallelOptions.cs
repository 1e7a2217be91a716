using System.CommandLine;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Cli;

/// <summary>--tp, --pp and --micro-batches: the device plan of one model replica, checked against model, schemes and link.</summary>
public static class ParallelOptions
{
    public static Option<int> Tp() => new("--tp")
    {
        Description = "tensor-parallel ranks (Megatron split of heads, FFN and vocabulary; two all-reduces per layer); needs an interconnect block",
        DefaultValueFactory = _ => 1,
    };

    public static Option<int> Pp() => new("--pp")
    {
        Description = "pipeline stages (layers split; activations sent between stages); needs an interconnect block",
        DefaultValueFactory = _ => 1,
    };

    public static Option<int> MicroBatches() => new("--micro-batches")
    {
        Description = "micro-batches per pipelined step for the throughput figure (default: one per stage)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<int> Ep() => new("--ep")
    {
        Description = "expert parallelism for a MoE model, equal to --tp: whole experts split over the TP ranks, an all-to-all dispatch and combine per MoE layer (default 1: every expert's width split by TP)",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>The plan, or every problem at once (one line each, naming the option).</summary>
    /// <param name="ep">--ep: 1, or equal to <paramref name="tp"/> on a MoE model.</param>
    public static ParallelPlan Parse(int tp, int pp, int microBatches, ModelConfig model, IEnumerable<CacheScheme> schemes, HardwareProfile hw, int ep = 1)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(hw);
        var errors = new List<InputError>();
        if (tp < 1 || tp > 1024)
        {
            errors.Add(new InputError("--tp", "", $"{tp} must be a whole number from 1 to 1024"));
        }
        if (pp < 1 || pp > 1024)
        {
            errors.Add(new InputError("--pp", "", $"{pp} must be a whole number from 1 to 1024"));
        }
        if (ep < 1 || ep > 1024)
        {
            errors.Add(new InputError("--ep", "", $"{ep} must be a whole number from 1 to 1024"));
        }
        if (microBatches < 0 || microBatches > 1 << 20)
        {
            errors.Add(new InputError("--micro-batches", "", $"{microBatches} must be from 0 (one per stage) to {1 << 20}"));
        }
        if (errors.Count == 0)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in schemes)
            {
                foreach (var p in ParallelChecks.Problems(tp, pp, model, s, hw, ep))
                {
                    if (seen.Add(p.Option + p.Message))
                    {
                        errors.Add(new InputError(p.Option, "", p.Message));
                    }
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return tp * pp == 1 ? ParallelPlan.Single : new ParallelPlan(tp, pp, Link.From(hw.Interconnect), microBatches, ep);
    }
}
