using XQuant.Sim.Cli;
using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;
using XQuant.Sim.Studies.Comparison;

namespace XQuant.Sim.Tests.Reports;

/// <summary>A small comparison (two devices, three schemes, two contexts), costed once for all report tests.</summary>
internal static class ReportFixtures
{
    private static readonly Lazy<CompareResult> Small = new(() => CompareStudy.Run(SmallRequest()));

    public static CompareResult SmallResult => Small.Value;

    public static CompareRequest SmallRequest()
    {
        var model = ModelConfigLoader.Load(TestPaths.Model("llama-2-7b"));
        var hw = new[] { "h100-sxm", "warboy" }.Select(id => HardwareProfileLoader.Load(Path.Combine(TestPaths.HardwareProfiles, id + ".json"))).ToList();
        return new CompareRequest(model, hw, SchemeRegistry.ParseFor("fp16,kivi:2,xquant:4", model), [1024, 4096], [1], WeightPrecision.Bf16);
    }

    /// <summary>Runs the CLI from the repository root (where the data folders are) and returns exit code and output.</summary>
    public static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        string cwd = Directory.GetCurrentDirectory();
        lock (CwdLock)
        {
            try
            {
                Directory.SetCurrentDirectory(TestPaths.RepoRoot);
                int code = CliApp.Run(args, o, e);
                return (code, o.ToString(), e.ToString());
            }
            finally
            {
                Directory.SetCurrentDirectory(cwd);
            }
        }
    }

    private static readonly object CwdLock = new();
}
