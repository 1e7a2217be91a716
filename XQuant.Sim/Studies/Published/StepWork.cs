using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Studies.Published;

/// <summary>
/// One step's ledger reduced to the datasheet roofline terms of each op (compute seconds at the dense peak, DRAM
/// seconds at the datasheet bandwidth, on-chip seconds, launch seconds), so the step can be re-timed under any
/// engine efficiency without rebuilding the ledger: op time = max(compute / compute_fraction, DRAM / bandwidth_fraction
/// + on-chip) + launch + link, which is exactly the roofline of the derated profile (collectives on the link are not
/// derated: the efficiencies are fitted on single-device rows). Step time is the serial form (sum of
/// per-op times, no overlap across ops).
/// </summary>
public sealed class StepWork
{
    private readonly string[] _names;
    private readonly double[] _compute;
    private readonly double[] _dram;
    private readonly double[] _weightsDram;
    private readonly double[] _onChip;
    private readonly double[] _launch;
    private readonly double[] _link;

    private StepWork(string[] names, double[] compute, double[] dram, double[] weightsDram, double[] onChip, double[] launch, double[] link)
    {
        _link = link;
        _names = names;
        _compute = compute;
        _dram = dram;
        _weightsDram = weightsDram;
        _onChip = onChip;
        _launch = launch;
    }

    public int Ops => _names.Length;

    /// <param name="weightBytesScale">Scales each op's weight traffic (a row's stated bits per weight over the format's).</param>
    public static StepWork From(Workload w, double weightBytesScale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(w);
        var hw = w.Hardware;
        var ops = Ledger.Build(w);
        double bw = hw.DramBandwidthBytesPerSec;
        int n = ops.Count;
        var names = new string[n];
        var compute = new double[n];
        var dram = new double[n];
        var weights = new double[n];
        var onChip = new double[n];
        var launch = new double[n];
        var link = new double[n];
        for (int i = 0; i < n; i++)
        {
            var t = Roofline.Time(ops[i], hw);
            link[i] = t.LinkSec;
            names[i] = ops[i].Name;
            compute[i] = t.ComputeSec;
            dram[i] = ops[i].DramBytes / bw;
            // Weights are never transient, so all of them are DRAM traffic; a mixed step reads them once.
            weights[i] = Math.Min(ops[i].Bytes(TensorClass.Weights), ops[i].DramBytes) / bw;
            onChip[i] = t.MemorySec - dram[i];
            dram[i] += (weightBytesScale - 1) * weights[i];
            weights[i] *= weightBytesScale;
            launch[i] = t.LaunchSec;
        }
        return new StepWork(names, compute, dram, weights, onChip, launch, link);
    }

    /// <summary>
    /// A mixed step (decode sequences plus prefill chunks in one iteration, as in-flight batching runs them): FLOPs and
    /// activation/cache traffic add, weights are read once per op. Collectives add (an upper bound: one all-reduce of
    /// both parts' activations would pay the per-message latency once).
    /// </summary>
    public static StepWork Mixed(StepWork a, StepWork b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var names = new List<string>(a._names);
        foreach (string name in b._names)
        {
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }
        int n = names.Count;
        var compute = new double[n];
        var dram = new double[n];
        var weights = new double[n];
        var onChip = new double[n];
        var launch = new double[n];
        var link = new double[n];
        for (int i = 0; i < n; i++)
        {
            int ia = Array.IndexOf(a._names, names[i]);
            int ib = Array.IndexOf(b._names, names[i]);
            double wa = ia >= 0 ? a._weightsDram[ia] : 0, wb = ib >= 0 ? b._weightsDram[ib] : 0;
            compute[i] = (ia >= 0 ? a._compute[ia] : 0) + (ib >= 0 ? b._compute[ib] : 0);
            dram[i] = (ia >= 0 ? a._dram[ia] : 0) + (ib >= 0 ? b._dram[ib] : 0) - Math.Min(wa, wb);
            weights[i] = Math.Max(wa, wb);
            onChip[i] = (ia >= 0 ? a._onChip[ia] : 0) + (ib >= 0 ? b._onChip[ib] : 0);
            launch[i] = Math.Max(ia >= 0 ? a._launch[ia] : 0, ib >= 0 ? b._launch[ib] : 0);
            link[i] = (ia >= 0 ? a._link[ia] : 0) + (ib >= 0 ? b._link[ib] : 0);
        }
        return new StepWork([.. names], compute, dram, weights, onChip, launch, link);
    }

    /// <summary>Serial step time (sum of per-op roofline times) under an engine efficiency; no fixed overhead.</summary>
    public double TimeSec(EngineEfficiency e)
    {
        ArgumentNullException.ThrowIfNull(e);
        double total = 0;
        double cf = e.ComputeFraction, bf = e.DramBandwidthFraction;
        for (int i = 0; i < _names.Length; i++)
        {
            total += Math.Max(_compute[i] / cf, _dram[i] / bf + _onChip[i]) + _launch[i] + _link[i];
        }
        return total;
    }
}
