using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Studies.WhatIf;

namespace XQuant.Sim.Rendering.Tables;

/// <summary>whatif.csv: one row per hypothetical device and scheme.</summary>
public static class WhatIfTable
{
    public static TextTable Build(WhatIfResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Cells.SelectMany(c => result.Request.Schemes.Select((s, i) => (Cell: c, Scheme: s.Spec, Index: i))).ToList();
        var columns = new List<TableColumn<(WhatIfCell Cell, string Scheme, int Index)>>
        {
            new("dram_bandwidth_bytes_per_sec", "hypothetical DRAM bandwidth", x => Formats.Exact(x.Cell.BandwidthBytesPerSec)),
            new("bf16_peak_flops_per_sec", "hypothetical dense BF16 peak (other dtypes keep the base's ratios)", x => Formats.Exact(x.Cell.PeakFlopsPerSec)),
            new("sram_bytes", "on-chip SRAM (empty: the base's)", x => x.Cell.SramBytes is double s ? Formats.Exact(s) : ""),
            new("scheme", "cache scheme", x => x.Scheme, AlignRight: false),
            new("step_s", "decode step, overlapped roofline (empty: does not fit)", x => Formats.Exact(x.Cell.StepSec[x.Index])),
            new("best", "1 for the fastest scheme that fits in this cell", x => x.Cell.Best == x.Index ? "1" : "0"),
        };
        return TextTable.Build(columns, rows);
    }
}
