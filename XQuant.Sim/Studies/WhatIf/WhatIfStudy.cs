using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Concurrency;

namespace XQuant.Sim.Studies.WhatIf;

/// <summary>The hardware what-if: every scheme on every hypothetical device of the grid.</summary>
public static class WhatIfStudy
{
    public static WhatIfResult Run(WhatIfRequest r) => Run(r, 1);

    /// <summary>
    /// Costs the grid's cells on <paramref name="threads"/> threads; the cells come back in grid order, so the
    /// result (and every file made from it) is the same on any thread count.
    /// </summary>
    public static WhatIfResult Run(WhatIfRequest r, int threads, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        int xq = IndexOf(r.Schemes, s => s is XQuantScheme or XQuantGqaScheme or XQuantClScheme or XQuantClGqaScheme);
        int kivi = IndexOf(r.Schemes, s => s is KiviScheme);
        var points = new List<(double? Sram, double Peak, double Bandwidth)>();
        foreach (double? sram in r.SramBytes)
        {
            foreach (double peak in LogGrid(r.PeakLo, r.PeakHi, r.Points))
            {
                foreach (double bw in LogGrid(r.BandwidthLo, r.BandwidthHi, r.Points))
                {
                    points.Add((sram, peak, bw));
                }
            }
        }
        var cells = OrderedParallel.Map(points, p => Cell(r, p.Bandwidth, p.Peak, p.Sram, xq, kivi), threads, cancel);
        return new WhatIfResult(r, cells, xq, kivi);
    }

    private static WhatIfCell Cell(WhatIfRequest r, double bw, double peak, double? sram, int xq, int kivi)
    {
        var hw = Device(r.Base, bw, peak, sram);
        var steps = r.Schemes.Select(s =>
        {
            var c = CaseCoster.Cost(new Workload(r.Model, hw, s, WeightPrecision.Bf16, r.Batch, r.ContextTokens), throughputAtMaxBatch: false);
            return c.Capacity.Fits ? c.Step.OverlappedSec : double.NaN;
        }).ToList();
        int best = -1;
        for (int i = 0; i < steps.Count; i++)
        {
            if (!double.IsNaN(steps[i]) && (best < 0 || steps[i] < steps[best]))
            {
                best = i;
            }
        }
        double ratio = xq >= 0 && kivi >= 0 ? steps[xq] / steps[kivi] : double.NaN;
        return new WhatIfCell(bw, peak, sram, steps, best, ratio);
    }

    /// <summary>
    /// The base device with DRAM bandwidth and BF16 peak replaced (every other dtype scaled by the same factor, so
    /// the base's dtype ratios stay) and, when given, on-chip SRAM of that size (0: none) with no published bandwidth.
    /// </summary>
    public static HardwareProfile Device(HardwareProfile baseProfile, double bandwidth, double bf16Peak, double? sramBytes)
    {
        ArgumentNullException.ThrowIfNull(baseProfile);
        double reference = baseProfile.Peak(DType.Bf16) ?? baseProfile.PeakFlopsPerSec.Values.Max();
        double factor = bf16Peak / reference;
        return baseProfile with
        {
            Id = $"{baseProfile.Id}-whatif",
            Name = $"hypothetical ({baseProfile.Id} base)",
            Dram = baseProfile.Dram with { BandwidthBytesPerSec = bandwidth },
            PeakFlopsPerSec = baseProfile.PeakFlopsPerSec.ToDictionary(kv => kv.Key, kv => kv.Value * factor),
            OnChip = sramBytes is null ? baseProfile.OnChip : sramBytes > 0 ? new MemoryLevel("SRAM", sramBytes.Value, null, null, "what-if") : null,
            AchievedFlopsPerSecByKind = null,
            Calibration = null,
            Provenance = Provenance.Datasheet,
        };
    }

    /// <summary>n points from lo to hi, evenly spaced in log.</summary>
    public static IReadOnlyList<double> LogGrid(double lo, double hi, int n) =>
        n <= 1 ? [lo] : Enumerable.Range(0, n).Select(i => Math.Exp(Math.Log(lo) + (i * (Math.Log(hi) - Math.Log(lo)) / (n - 1)))).ToList();

    private static int IndexOf(IReadOnlyList<CacheScheme> schemes, Func<CacheScheme, bool> match)
    {
        for (int i = 0; i < schemes.Count; i++)
        {
            if (match(schemes[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
