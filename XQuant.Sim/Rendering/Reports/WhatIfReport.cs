using System.Globalization;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.WhatIf;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>The files of xqsim whatif: whatif.csv, and per SRAM size the best-scheme map and the XQuant/KIVI* ratio map.</summary>
public static class WhatIfReport
{
    public static IReadOnlyList<OutputFile> Files(WhatIfResult result, string extension)
    {
        ArgumentNullException.ThrowIfNull(result);
        var files = new List<OutputFile> { OutputFile.Csv("whatif.csv", WhatIfTable.Build(result)) };
        foreach (double? sram in result.Request.SramBytes)
        {
            string suffix = sram is double s ? "-sram" + s.ToString("0", CultureInfo.InvariantCulture) : "";
            files.Add(ChartFile.Output($"whatif-best{suffix}{extension}", WhatIfChart.Create(result, sram, ratio: false), WhatIfChart.Width, WhatIfChart.Height));
            if (result.XQuantIndex >= 0 && result.KiviIndex >= 0)
            {
                files.Add(ChartFile.Output($"whatif-xquant-vs-kivi{suffix}{extension}", WhatIfChart.Create(result, sram, ratio: true), WhatIfChart.Width, WhatIfChart.Height));
            }
        }
        return files;
    }
}
