using XQuant.Sim.Output;
using XQuant.Sim.Scenarios;

namespace XQuant.Sim.Reports;

/// <summary>cases.csv (one row per case) and, with --detail ops, ops.csv (one row per case and operator).</summary>
public sealed class CsvExporter : IExporter
{
    public static readonly CsvExporter Default = new();

    public string Name => "csv";

    public IReadOnlyList<string> Export(RunResult run, string outDir)
    {
        string cases = Path.Combine(outDir, "cases.csv");
        CsvOutput.WriteFile(cases, TextTable.Build(CaseTable.CsvColumns, run.Cases));
        if (!run.DetailOps)
        {
            return [cases];
        }
        string ops = Path.Combine(outDir, "ops.csv");
        var rows = run.Cases.SelectMany(c => c.Step.Ops.Select(o => (c, o)));
        CsvOutput.WriteFile(ops, TextTable.Build(CaseTable.OpColumns(), rows));
        return [cases, ops];
    }
}
