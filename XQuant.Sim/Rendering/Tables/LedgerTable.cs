using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Text;

using XQuant.Sim.Domain.CostModel;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>Columns of the per-operator ledger; the console, Markdown and CSV all render these.</summary>
public static class LedgerTable
{
    public static IReadOnlyList<TableColumn<OpTiming>> Columns(bool exact)
    {
        Func<double, string> num = exact ? Formats.Exact : v => Formats.Sig(v);
        Func<double, string> bytes = exact ? Formats.Exact : Formats.Bytes;
        Func<double, string> secs = exact ? Formats.Exact : Formats.Seconds;
        var columns = new List<TableColumn<OpTiming>>
        {
            new("op", "operator", t => t.Op.Name, AlignRight: false),
            new("kind", "kernel class", t => t.Op.Kind.ToString().ToLowerInvariant(), AlignRight: false),
            new("dtype", "compute dtype", t => t.Op.DType.Name(), AlignRight: false),
            new("flops", "FLOPs in this step, all layers", t => num(t.Op.Flops)),
            new("dram_bytes", "bytes from/to DRAM", t => bytes(t.Op.DramBytes)),
            new("onchip_bytes", "transient bytes that fit on chip", t => bytes(t.Op.OnChipBytes)),
            new("compute_s", "FLOPs / peak(dtype)", t => secs(t.ComputeSec)),
            new("memory_s", "DRAM bytes / bandwidth + on-chip bytes / on-chip bandwidth", t => secs(t.MemorySec)),
            new("time_s", "max(compute_s, memory_s) + launch latency (+ the collective's link time for communication ops)", t => secs(t.TimeSec)),
            new("bound", "which roof limits the op (link: a communication op)", t => t.Op.Kind == OpKind.Communication ? "link" : t.Bound.ToString().ToLowerInvariant(), AlignRight: false),
            new("intensity_flop_per_byte", "FLOPs / DRAM bytes", t => num(t.ArithmeticIntensity)),
        };
        if (exact)
        {
            foreach (var c in TensorClasses.All)
            {
                columns.Add(new($"{c.Name()}_bytes", $"bytes of class {c.Name()}", t => Formats.Exact(t.Op.Bytes(c))));
            }
        }
        return columns;
    }

    public static TextTable Build(StepCost step, bool exact) => TextTable.Build(Columns(exact), step.Ops);
}
