using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Parallelism;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Studies.TensorParallel;

/// <summary>
/// Where each cache layout keeps or loses its memory saving under tensor parallelism: every scheme on every node at
/// every TP degree, with the rank's cache, the largest batch, the decode step and its communication share.
/// </summary>
public static class ParallelStudy
{
    public static IReadOnlyList<ParallelRow> Run(ParallelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rows = new List<ParallelRow>();
        foreach (var m in request.Models)
        {
            var schemes = request.SchemeSpecs.Select(s => SchemeRegistry.ParseFor(s, m, "--schemes")[0]).ToList();
            foreach (var hw in request.Hardware)
            {
                foreach (int tp in request.TensorParallel)
                {
                    var fp16 = Cost(m, hw, new Fp16KvScheme(), tp, request);
                    foreach (var s in schemes)
                    {
                        var problems = ParallelChecks.Problems(tp, 1, m, s, hw);
                        if (problems.Count > 0)
                        {
                            rows.Add(new ParallelRow(m, hw, tp, s.Spec, null, double.NaN, double.NaN, problems[0].Message));
                            continue;
                        }
                        var r = Cost(m, hw, s, tp, request)!;
                        double ratio = fp16 is null ? double.NaN : r.Cache.TotalBytes / fp16.Cache.TotalBytes;
                        rows.Add(new ParallelRow(m, hw, tp, s.Spec, r, ratio, PipelineThroughput.CommunicationShare(r.Step), null));
                    }
                }
            }
        }
        return rows;
    }

    private static CaseResult? Cost(Domain.Models.ModelConfig m, Domain.Hardware.HardwareProfile hw, CacheScheme s, int tp, ParallelRequest request)
    {
        if (ParallelChecks.Problems(tp, 1, m, s, hw).Count > 0)
        {
            return null;
        }
        var plan = tp == 1 ? null : new ParallelPlan(tp, 1, Link.From(hw.Interconnect));
        return CaseCoster.Cost(new Workload(m, hw, s, request.Weights, request.Batch, request.ContextTokens, Parallel: plan), throughputAtMaxBatch: false);
    }
}
