using XQuant.Sim.Foundation.Text;

using XQuant.Sim.Domain.Memory;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>The columns of the memory table; one definition serves the console, Markdown and CSV.</summary>
public static class MemoryTable
{
    public static TextTable Build(IReadOnlyList<MemoryRow> rows, bool exact)
    {
        Func<double, string> num = exact ? Formats.Exact : v => Formats.Sig(v);
        Func<double, string> bytes = exact ? Formats.Exact : Formats.Bytes;
        var columns = new List<TableColumn<MemoryRow>>
        {
            new("scheme", "compact scheme spec", r => r.Scheme.Spec, AlignRight: false),
            new("bytes_per_token", "paper-convention cache bytes per token, all layers", r => num(r.PaperBytesPerToken)),
            new("normalized_size", "bytes per token / FP16 KV bytes per token", r => exact ? Formats.Exact(r.NormalizedSize) : Formats.Fixed(r.NormalizedSize, 4)),
            new("savings_exact_x", "1 / normalized_size", r => exact ? Formats.Exact(r.SavingsExact) : Formats.Fixed(r.SavingsExact, 2)),
            new("savings_paper_x", "1 / round(normalized_size, 2), as the paper quotes", r => exact ? Formats.Exact(r.SavingsPaper) : Formats.Fixed(r.SavingsPaper, 2)),
            new("payload_bytes", "quantized (or FP16) payload at this batch and context", r => bytes(r.Total.PayloadBytes)),
            new("metadata_bytes", "scales and zero-points", r => bytes(r.Total.MetadataBytes)),
            new("window_bytes", "FP16 residual window of recent tokens", r => bytes(r.Total.WindowBytes)),
            new("accumulator_bytes", "XQuant-CL accumulator working buffer", r => bytes(r.Total.AccumulatorBytes)),
            new("total_bytes", "everything the cache holds", r => bytes(r.Total.TotalBytes)),
        };
        if (exact)
        {
            columns.Insert(0, new("model", "model id", r => r.Model.Id, AlignRight: false));
            columns.Insert(1, new("batch", "sequences", r => Formats.Exact(r.Batch)));
            columns.Insert(2, new("context_tokens", "cached tokens per sequence", r => Formats.Exact(r.ContextTokens)));
            columns.Add(new("layout", "what each layer stores per token", r => r.LayoutDescription, AlignRight: false));
            columns.Add(new("flags", "warnings", r => string.Join(" | ", r.Warnings), AlignRight: false));
        }
        else
        {
            columns.Add(new("layout", "what each layer stores per token", r => r.LayoutDescription, AlignRight: false));
        }
        return TextTable.Build(columns, rows);
    }
}
