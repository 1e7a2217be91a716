namespace XQuant.Kernels.Engine;

/// <summary>The ops a decode step times; names follow the cost model's ledger where they are the same op.</summary>
public enum EngineOp
{
    Embedding,
    AttnNorm,
    QProj,
    RopeQ,
    KProj,
    VProj,
    RopeK,

    /// <summary>Appending the new token to the cache: fp16 store, KIVI window (and its periodic flush), Q(X) or Q(dX).</summary>
    CacheWrite,

    /// <summary>Fused, per tile: dequantize / rematerialize / accumulate / rotate keys, then scores, softmax and output.</summary>
    Attention,
    OProj,
    ResidualAdd,
    FfnNorm,
    FfnGateUp,
    FfnAct,
    FfnDown,
    FinalNorm,
    LmHead,
}

public static class EngineOps
{
    public static readonly IReadOnlyList<EngineOp> All = Enum.GetValues<EngineOp>();

    public static string Name(this EngineOp op) => op switch
    {
        EngineOp.Embedding => "embedding",
        EngineOp.AttnNorm => "attn_norm",
        EngineOp.QProj => "q_proj",
        EngineOp.RopeQ => "rope_q",
        EngineOp.KProj => "k_proj",
        EngineOp.VProj => "v_proj",
        EngineOp.RopeK => "rope_k",
        EngineOp.CacheWrite => "cache_write",
        EngineOp.Attention => "attention",
        EngineOp.OProj => "o_proj",
        EngineOp.ResidualAdd => "residual_add",
        EngineOp.FfnNorm => "ffn_norm",
        EngineOp.FfnGateUp => "ffn_gate_up",
        EngineOp.FfnAct => "ffn_act",
        EngineOp.FfnDown => "ffn_down",
        EngineOp.FinalNorm => "final_norm",
        EngineOp.LmHead => "lm_head",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}

/// <summary>One decode step: the logits, the seconds each op took (summed over layers), the whole step, and the cache.</summary>
public sealed record StepResult(float[] Logits, IReadOnlyList<double> OpSec, double StepSec, int ContextBefore, long CacheBytes)
{
    public double Sec(EngineOp op) => OpSec[(int)op];
}
