using XQuant.Kernels.Engine;
using XQuant.Sim.Foundation.Input;
using XQuant.Sim.Studies.Measurement;


namespace XQuant.Sim.Studies.Accuracy;

/// <summary>The synthetic models `xqsim accuracy` measures when no checkpoint is given, and the engine scheme names it accepts.</summary>
public static class SyntheticModels
{
    public static readonly IReadOnlyList<string> Ids = ["synthetic-mha", "synthetic-gqa"];

    /// <summary>d = 256, 8 layers, vocab 2048; MHA: 4 heads of 64; GQA: 8 query heads of 32 sharing 2 KV heads (g = 4).</summary>
    public static EngineConfig Config(string id, int maxContext, int seed) => id switch
    {
        "synthetic-mha" => new EngineConfig(256, 8, 4, 4, 64, 704, 2048, maxContext, seed),
        "synthetic-gqa" => new EngineConfig(256, 8, 8, 2, 32, 704, 2048, maxContext, seed),
        _ => throw new InputException("--model", "", $"'{JsonFields.Truncate(id)}' is neither {string.Join(" nor ", Ids)} nor a checkpoint folder"),
    };

    public static string DefaultSchemes(bool gqa) => gqa
        ? "kivi:4,kivi:3,kivi:2,xquant:4,xquant:2,xquant-gqa:4,xquant-gqa:3,xquant-gqa:2,xquant-gqa:2,fp16first=1,xquant-cl:3,xquant-cl:2,xquant-cl-gqa:3,xquant-cl-gqa:2"
        : "kivi:4,kivi:3,kivi:2,xquant:4,xquant:3,xquant:2,xquant-gqa:2,xquant-gqa:2,fp16first=1,xquant-cl:3,xquant-cl:2";

    /// <summary>Problems running <paramref name="schemes"/> on a model of shape <paramref name="config"/> (xquant-cl-gqa needs 2 kv_dim &lt;= hidden).</summary>
    public static void Check(IReadOnlyList<EngineScheme> schemes, EngineConfig config, string model)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(config);
        var bad = schemes.Where(s => s.Kind == EngineSchemeKind.XQuantClGqa && 2 * config.KvDim > config.HiddenSize).ToList();
        if (bad.Count > 0)
        {
            throw new InputException("--schemes", bad[0].Name, $"needs a GQA model with 2 kv_dim <= hidden; {model} has kv_dim {config.KvDim} and hidden {config.HiddenSize}");
        }
        var cl = schemes.FirstOrDefault(s => s.Kind is EngineSchemeKind.XQuantCl or EngineSchemeKind.XQuantClGqa && s.BaseLayers > config.Layers);
        if (cl is not null)
        {
            throw new InputException("--schemes", cl.Name, $"needs at least {cl.BaseLayers} layers (base layers); {model} has {config.Layers}");
        }
    }

    /// <summary>
    /// The schemes to measure, in the one scheme grammar (`xqsim schemes`), as the engine runs them; fp16 is dropped
    /// (the FP16 cache is always the reference) and at least one other scheme is required.
    /// </summary>
    public static IReadOnlyList<EngineScheme> ParseSchemes(string text)
    {
        var list = EngineModel.ParseSchemes(text).Where(s => s.Kind != EngineSchemeKind.Fp16).ToList();
        return list.Count > 0 ? list : throw new InputException("--schemes", "", "needs at least one scheme besides fp16 (the FP16 cache is always the reference)");
    }
}
