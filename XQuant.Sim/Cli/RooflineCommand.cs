using System.CommandLine;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Planning;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Foundation.Output;
using XQuant.Sim.Rendering.Charts;

namespace XQuant.Sim.Cli;

/// <summary>xqsim roofline: the log-log roofline of one device with one point per operator and scheme, as PNG or SVG.</summary>
public static class RooflineCommand
{
    public static Command Create(CliContext ctx)
    {
        var hardware = CliOptions.Hardware();
        var model = CliOptions.Model();
        var schemes = CliOptions.Schemes("fp16,kivi:2,xquant:2");
        var context = CliOptions.Context("32768");
        var batch = CliOptions.Batch("1");
        var weights = WorkloadOptions.Weights();
        var phase = WorkloadOptions.Phase();
        var reserve = WorkloadOptions.Reserve();
        var outPath = new Option<string>("--out", "-o") { Description = "chart file; .png or .svg picks the format", DefaultValueFactory = _ => "roofline.png" };
        var width = new Option<int>("--width") { Description = "image width in pixels", DefaultValueFactory = _ => RooflineChart.Width };
        var height = new Option<int>("--height") { Description = "image height in pixels", DefaultValueFactory = _ => RooflineChart.Height };
        var command = new Command("roofline", "Draw the roofline of one device: DRAM, on-chip and per-dtype compute roofs, ridge points, one point per operator and scheme.")
        {
            hardware, model, schemes, context, batch, weights, phase, reserve, outPath, width, height,
        };
        command.SetAction(p =>
        {
            string path = p.GetValue(outPath)!;
            ChartFile.CheckExtension(path, "--out");
            OutputSet.CheckFile(path);
            int w = CheckSize(p.GetValue(width), "--width");
            int h = CheckSize(p.GetValue(height), "--height");
            var hw = HardwareProfileLoader.Resolve(p.GetValue(hardware)!);
            var m = ModelConfigLoader.Resolve(p.GetValue(model)!);
            var list = SchemeRegistry.ParseFor(MlaDefaults.Value(p, schemes, m, "mla,mla:2,xquant:2"), m);
            var wp = WorkloadOptions.ParseWeights(p.GetValue(weights)!);
            var ph = WorkloadOptions.ParsePhase(p.GetValue(phase)!);
            double r = WorkloadOptions.ParseReserve(p.GetValue(reserve));
            double b = CliOptions.PositiveOne(p.GetValue(batch)!, "--batch", 1L << 30);
            double l = CliOptions.PositiveOne(p.GetValue(context)!, "--context", 1L << 40);
            var cases = list.Select(s => CaseCoster.Cost(new Workload(m, hw, s, wp, b, l, ph, RuntimeReserveFraction: r), throughputAtMaxBatch: false)).ToList();
            using var plot = RooflineChart.Build(cases, w, h);
            OutputSet.WriteTo(path, ChartFile.Output(path, plot, w, h));
            foreach (string note in cases.SelectMany(c => c.Notes.Select(n => $"{c.Workload.Scheme.Spec}: {n}")).Distinct(StringComparer.Ordinal))
            {
                ctx.Out.WriteLine($"note: {note}");
            }
            ctx.Out.WriteLine(path);
            return CliApp.ExitOk;
        });
        return command;
    }

    internal static int CheckSize(int pixels, string source) =>
        pixels is >= 200 and <= 8000 ? pixels : throw new InputException(source, "", "must be from 200 to 8000 pixels");
}
