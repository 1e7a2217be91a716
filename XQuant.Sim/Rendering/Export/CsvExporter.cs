using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Scenarios;

namespace XQuant.Sim.Rendering.Export;

/// <summary>cases.csv (one row per case) and, with --detail ops, ops.csv (one row per case and operator).</summary>
public sealed class CsvExporter : IExporter
{
    public static readonly CsvExporter Default = new();

    public string Name => "csv";

    public IReadOnlyList<OutputFile> Files(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        bool plan = CaseTable.HasPlan(run.Cases);
        var cases = OutputFile.Csv("cases.csv", TextTable.Build(CaseTable.CsvColumnsFor(plan), run.Cases));
        if (!run.DetailOps)
        {
            return [cases];
        }
        var rows = run.Cases.SelectMany(c => c.Step.Ops.Select(o => (c, o)));
        return [cases, OutputFile.Csv("ops.csv", TextTable.Build(CaseTable.OpColumns(plan), rows))];
    }

    /// <summary>
    /// Writes cases as they are costed, for sweeps too large to hold: memory stays bounded by one case. Both
    /// files appear only when the whole sweep is done; Ctrl+C leaves neither.
    /// </summary>
    /// <param name="plan">The sweep runs on more than one device: the TP/PP columns are written.</param>
    public static IReadOnlyList<string> ExportStreaming(IEnumerable<CaseResult> cases, string outDir, bool detailOps, bool plan = false)
    {
        string casesPath = Path.Combine(outDir, "cases.csv");
        string opsPath = Path.Combine(outDir, "ops.csv");
        using var caseCsv = new CsvOutput.Streaming<CaseResult>(casesPath, CaseTable.CsvColumnsFor(plan));
        using var opCsv = detailOps ? new CsvOutput.Streaming<(CaseResult, OpTiming)>(opsPath, CaseTable.OpColumns(plan)) : null;
        foreach (var c in cases)
        {
            caseCsv.Add(c);
            if (opCsv is not null)
            {
                foreach (var op in c.Step.Ops)
                {
                    opCsv.Add((c, op));
                }
            }
        }
        caseCsv.Commit();
        opCsv?.Commit();
        return detailOps ? [casesPath, opsPath] : [casesPath];
    }

    /// <summary>One case's cases.csv row and, with ops, its ops.csv rows: made on the thread that costed the case.</summary>
    public static RenderedCase Render(CaseResult c, bool detailOps)
    {
        ArgumentNullException.ThrowIfNull(c);
        // A scenario's plan is the same for every case, so each case's own plan picks the columns of the whole file.
        bool plan = !c.Workload.Plan.IsSingle;
        string ops = detailOps ? string.Concat(c.Step.Ops.Select(op => CsvOutput.Line(plan ? PlanOpColumns : OpColumns, (c, op)))) : "";
        return new RenderedCase(CsvOutput.Line(CaseTable.CsvColumnsFor(plan), c), ops);
    }

    /// <summary>
    /// Writes rows made by <see cref="Render"/> in the order they come (a sweep costed and formatted on N threads
    /// hands them over in expansion order, so the files are the same bytes on any thread count). Both files appear
    /// only when the whole sweep is done; Ctrl+C leaves neither.
    /// </summary>
    /// <param name="plan">The rows were rendered from multi-device cases (<see cref="Render"/> then adds the TP/PP columns).</param>
    public static IReadOnlyList<string> ExportRendered(IEnumerable<RenderedCase> rows, string outDir, bool detailOps, bool plan = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        string casesPath = Path.Combine(outDir, "cases.csv");
        string opsPath = Path.Combine(outDir, "ops.csv");
        using var caseCsv = new CsvOutput.Streaming<CaseResult>(casesPath, CaseTable.CsvColumnsFor(plan));
        using var opCsv = detailOps ? new CsvOutput.Streaming<(CaseResult, OpTiming)>(opsPath, plan ? PlanOpColumns : OpColumns) : null;
        foreach (var row in rows)
        {
            caseCsv.AddLines(row.Case);
            opCsv?.AddLines(row.Ops);
        }
        caseCsv.Commit();
        opCsv?.Commit();
        return detailOps ? [casesPath, opsPath] : [casesPath];
    }

    private static readonly IReadOnlyList<TableColumn<(CaseResult Case, OpTiming Op)>> OpColumns = CaseTable.OpColumns();

    private static readonly IReadOnlyList<TableColumn<(CaseResult Case, OpTiming Op)>> PlanOpColumns = CaseTable.OpColumns(plan: true);
}
