using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.TensorParallel;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>The tensor-parallel findings: one row per model, node, TP degree and scheme.</summary>
public static class ParallelTable
{
    public static IReadOnlyList<TableColumn<ParallelRow>> Columns { get; } =
    [
        new("model", "model", r => r.Model.Id, AlignRight: false),
        new("node", "hardware profile or node", r => r.Hardware.Id, AlignRight: false),
        new("tp", "tensor-parallel ranks", r => Formats.Int(r.TensorParallel)),
        new("scheme", "cache scheme and its TP layout", r => r.Scheme, AlignRight: false),
        new("cache_per_rank", "cache bytes on one rank at the batch and context", r => r.Case is null ? "n/a" : Formats.Bytes(r.Case.Cache.TotalBytes)),
        new("vs_fp16", "rank cache / FP16 KV rank cache at the same TP (< 1 keeps a saving)", r => double.IsNaN(r.CacheVsFp16) ? "n/a" : Formats.Fixed(r.CacheVsFp16, 3)),
        new("max_batch", "largest batch at the context on one rank (weights + cache + activations + reserve)", r => r.Case is null ? "n/a" : Formats.Int(r.Case.Capacity.MaxBatchAtContext)),
        new("step", "decode step, overlapped roofline + link time", r => r.Case is null ? "n/a" : Formats.Seconds(r.Case.Step.OverlappedSec)),
        new("comm_share", "share of the step on the link (all-reduces, gathers)", r => double.IsNaN(r.CommunicationShare) ? "n/a" : Formats.Fixed(100 * r.CommunicationShare, 1) + "%"),
        new("note", "why a case cannot run", r => r.Problem ?? "", AlignRight: false),
    ];

    public static TextTable Build(IEnumerable<ParallelRow> rows) => TextTable.Build(Columns, rows);
}
