using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Foundation.Concurrency;
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
        var cases = OutputFile.Csv("cases.csv", TextTable.Build(CaseTable.CsvColumns, run.Cases));
        if (!run.DetailOps)
        {
            return [cases];
        }
        var rows = run.Cases.SelectMany(c => c.Step.Ops.Select(o => (c, o)));
        return [cases, OutputFile.Csv("ops.csv", TextTable.Build(CaseTable.OpColumns(), rows))];
    }

    /// <summary>
    /// Writes cases as they are costed, for sweeps too large to hold: memory stays bounded by one case. Both
    /// files appear only when the whole sweep is done; Ctrl+C leaves neither.
    /// </summary>
    public static IReadOnlyList<string> ExportStreaming(IEnumerable<CaseResult> cases, string outDir, bool detailOps)
    {
        string casesPath = Path.Combine(outDir, "cases.csv");
        string opsPath = Path.Combine(outDir, "ops.csv");
        using var caseCsv = new CsvOutput.Streaming<CaseResult>(casesPath, CaseTable.CsvColumns);
        using var opCsv = detailOps ? new CsvOutput.Streaming<(CaseResult, OpTiming)>(opsPath, CaseTable.OpColumns()) : null;
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

    /// <summary>
    /// As above, with rows formatted on up to <paramref name="threads"/> threads (formatting costs about as much as
    /// costing a case); rows are written in input order, so the files are the same bytes on any thread count.
    /// </summary>
    public static IReadOnlyList<string> ExportStreaming(IEnumerable<CaseResult> cases, string outDir, bool detailOps, int threads, CancellationToken cancel = default)
    {
        if (threads == 1)
        {
            return ExportStreaming(cases, outDir, detailOps);
        }
        string casesPath = Path.Combine(outDir, "cases.csv");
        string opsPath = Path.Combine(outDir, "ops.csv");
        using var caseCsv = new CsvOutput.Streaming<CaseResult>(casesPath, CaseTable.CsvColumns);
        using var opCsv = detailOps ? new CsvOutput.Streaming<(CaseResult, OpTiming)>(opsPath, CaseTable.OpColumns()) : null;
        var rendered = OrderedParallel.Select(
            cases,
            c => (Case: caseCsv.Render(c), Ops: opCsv is null ? [] : c.Step.Ops.Select(op => opCsv.Render((c, op))).ToArray()),
            threads,
            cancel: cancel);
        foreach (var (caseRow, opRows) in rendered)
        {
            caseCsv.AddCells(caseRow);
            foreach (var row in opRows)
            {
                opCsv!.AddCells(row);
            }
        }
        caseCsv.Commit();
        opCsv?.Commit();
        return detailOps ? [casesPath, opsPath] : [casesPath];
    }
}
