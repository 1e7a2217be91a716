using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Foundation.Text;
using XQuant.Sim.Rendering.Charts;
using XQuant.Sim.Rendering.Tables;
using XQuant.Sim.Studies.Quality;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Rendering.Reports;

/// <summary>xqsim pareto's words and files: the headline, pareto.csv, pareto.md and pareto.png.</summary>
public static class ParetoReport
{
    /// <summary>Where the study's perplexities come from, as a phrase ("from the paper (arXiv 2508.10395)").</summary>
    public static string QualityOrigin(ParetoStudy study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var sources = study.Points.Select(p => p.Quality.Source).Distinct().Order().ToList();
        return string.Join(" and ", sources.Select(s => s switch
        {
            QualitySource.Paper => "from the paper (arXiv 2508.10395)",
            QualitySource.MeasuredSynthetic => "measured by xqsim accuracy on a synthetic model",
            _ => "measured by xqsim accuracy on a checkpoint",
        }));
    }

    public static string Headline(ParetoStudy study)
    {
        ArgumentNullException.ThrowIfNull(study);
        return $"{study.Model.Id} on {study.Hardware.Id} ({study.Hardware.Provenance.Name()}, {SourcePaths.Display(study.Hardware.SourcePath)}), batch {Formats.Int(study.Batch)}, context {Formats.Int(study.ContextTokens)}; perplexity on {study.Dataset} {QualityOrigin(study)}, memory and time from the cost model";
    }

    public static IReadOnlyList<OutputFile> Files(ParetoStudy study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var hw = study.Hardware;
        string md = $"# Pareto: {study.Model.Id} on {hw.Id}, batch {Formats.Int(study.Batch)}, context {Formats.Int(study.ContextTokens)}\n\nMemory (normalized size) and time per token (overlapped roofline, {hw.Provenance.Name()} profile `{SourcePaths.Display(hw.SourcePath)}`) from the cost model; perplexity on {study.Dataset} {QualityOrigin(study)} (teacher-forced; column quality_source tags each row). `pareto` = not dominated in all three together.\n\n{ParetoTable.Build(study, exact: false).ToMarkdown()}\n![pareto](pareto.png)\n";
        using var plot = ParetoChart.Create(study);
        return
        [
            OutputFile.Csv("pareto.csv", ParetoTable.Build(study, exact: true)),
            OutputFile.Text("pareto.md", md),
            ChartFile.Output("pareto.png", plot, ParetoChart.Width, ParetoChart.Height),
        ];
    }
}
