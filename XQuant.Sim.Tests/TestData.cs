using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Domain.Hardware;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests;

/// <summary>Small hand-checkable models and profiles, and the shipped ones loaded once.</summary>
internal static class TestData
{
    /// <summary>d = 64, 2 layers, 4 heads of 16, MHA (d_kv = 64), FFN 128, vocab 100.</summary>
    public static readonly ModelConfig TinyMha = new()
    {
        Id = "tiny-mha",
        HiddenSize = 64,
        Layers = 2,
        Heads = 4,
        KvHeads = 4,
        HeadDim = 16,
        IntermediateSize = 128,
        VocabSize = 100,
    };

    /// <summary>Same, GQA with one KV head (d_kv = 16, g = 4).</summary>
    public static readonly ModelConfig TinyGqa = TinyMha with { Id = "tiny-gqa", KvHeads = 1 };

    /// <summary>1 TFLOP/s BF16, 2 TFLOP/s FP32 vector, 1 TB/s DRAM, 1 GB, no on-chip pool: round numbers for hand checks.</summary>
    public static readonly HardwareProfile Round = new()
    {
        Id = "round",
        Name = "round",
        Vendor = "test",
        Kind = DeviceKind.Gpu,
        ReleaseYear = 2024,
        PeakFlopsPerSec = new Dictionary<DType, double> { [DType.Bf16] = 1e12, [DType.Fp32] = 2e12 },
        PeakFlopsSource = "test",
        Dram = new MemoryLevel("HBM", 1e9, 1e12, "test", null),
    };

    public static ModelConfig Model(string id) => ModelConfigLoader.Load(TestPaths.Model(id));

    public static HardwareProfile Hardware(string id) => HardwareProfileLoader.Load(Path.Combine(TestPaths.HardwareProfiles, id + ".json"));

    public static CacheScheme Scheme(string spec)
    {
        var errors = new List<string>();
        return SchemeRegistry.TryParse(spec, errors) ?? throw new AssertFailedException(string.Join("; ", errors));
    }

    public static Workload Decode(ModelConfig m, HardwareProfile hw, string scheme, double batch, double context) =>
        new(m, hw, Scheme(scheme), WeightPrecision.Bf16, batch, context);
}
