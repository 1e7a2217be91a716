using XQuant.Sim.Domain.Hardware;

namespace XQuant.Sim.Domain.CostModel.CacheOps;

/// <summary>Decode attention for one new query token per sequence over N = context + 1 keys and values.</summary>
public static class AttentionOps
{
    /// <summary>
    /// Scores, softmax and weighted sum. <paramref name="kBytes"/> and <paramref name="vBytes"/> are what the two
    /// attention GEMVs read for K and V, charged to <paramref name="source"/> (the FP16 KV cache, or unfused
    /// rematerialized K/V in DRAM); 0 when K/V arrive on chip from a fused dequant or remat. <paramref name="variant"/>
    /// names the implementation variant of the two attention GEMVs (e.g. "fp16_kv" when they read the FP16 cache
    /// directly), whose calibrated rate, where a profile has one, replaces the attention class's.
    /// </summary>
    public static void Add(LedgerBuilder b, double layers, TensorClass source, double kBytes, double vBytes, bool absorbedV = false, string? variant = null)
    {
        var m = b.Model;
        // With grouped KV heads each cached K/V element serves several query heads, so the per-element part of
        // attention's work (widening, loading a tile row) is shared: a calibration rates that as its own variant.
        variant = GroupedVariant(variant, m.Heads > m.KvHeads);
        double q = b.NewTokens * m.QDim * LedgerBuilder.ActivationBytesPerElement;
        b.Add(b.Op("attn_scores", OpKind.Attention, 2 * b.Batch * m.Heads * m.HeadDim * b.AttentionPairs, b.GemmDType).AsVariant(variant)
            .AddBytes(TensorClass.ActivationsRead, q)
            .AddBytes(source, kBytes), layers);
        b.Add(b.Op("softmax", OpKind.Elementwise, 5 * b.Batch * m.Heads * b.AttentionPairs), layers);
        if (!absorbedV)
        {
            b.Add(b.Op("attn_output", OpKind.Attention, 2 * b.Batch * m.Heads * m.HeadDim * b.AttentionPairs, b.GemmDType).AsVariant(variant)
                .AddBytes(source, vBytes)
                .AddBytes(TensorClass.ActivationsWritten, q), layers);
        }
    }

    /// <summary>"gqa" appended to an attention variant when the model groups its KV heads ("gqa", "fp16_kv_gqa").</summary>
    public static string? GroupedVariant(string? variant, bool grouped) =>
        !grouped ? variant : variant is null ? "gqa" : $"{variant}_gqa";

    /// <summary>
    /// Rematerialization from a cached input of width <paramref name="inWidth"/> (d for X, d_kv or 2 d_kv for
    /// latents) through matrices of inWidth x d_kv for K and for V, then RoPE on the keys and attention. Fused:
    /// K/V tiles never leave the chip. Unfused: K and V are written to DRAM and read back. V-absorbed: V is never
    /// formed; each query head computes (p X^) (inWidth) and multiplies by its slice of the V matrix.
    /// </summary>
    public static void AddRemat(LedgerBuilder b, double layers, double inWidth, string kName = "remat_k", string vName = "remat_v")
    {
        var m = b.Model;
        double kd = m.KvDim;
        var mode = b.Workload.Scheme.Remat;
        bool unfused = mode == Schemes.RematMode.Unfused;
        double kvTensor = b.Batch * b.AttendedTokens * kd * LedgerBuilder.ActivationBytesPerElement;
        b.Add(b.Op(kName, OpKind.Remat, 2 * b.Batch * b.AttendedTokens * inWidth * kd)
            .AddBytes(TensorClass.Weights, inWidth * kd * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsWritten, unfused ? kvTensor : 0), layers);
        b.Add(b.Op("rope_k", OpKind.Elementwise, 3 * b.Batch * b.AttendedTokens * kd)
            .AddBytes(TensorClass.ActivationsRead, unfused ? kvTensor : 0)
            .AddBytes(TensorClass.ActivationsWritten, unfused ? kvTensor : 0), layers);
        if (mode == Schemes.RematMode.VAbsorbed)
        {
            b.Add(b.Op("attn_px", OpKind.Attention, 2 * b.Batch * m.Heads * b.AttentionPairs * inWidth, b.RematDType), layers);
            b.Add(b.Op("v_absorb", OpKind.Gemm, 2 * b.NewTokens * m.Heads * inWidth * m.HeadDim)
                .AddBytes(TensorClass.Weights, inWidth * kd * b.BytesPerWeight)
                .AddBytes(TensorClass.ActivationsWritten, b.NewTokens * m.QDim * LedgerBuilder.ActivationBytesPerElement), layers);
            Add(b, layers, TensorClass.ActivationsRead, 0, 0, absorbedV: true);
            return;
        }
        b.Add(b.Op(vName, OpKind.Remat, 2 * b.Batch * b.AttendedTokens * inWidth * kd)
            .AddBytes(TensorClass.Weights, inWidth * kd * b.BytesPerWeight)
            .AddBytes(TensorClass.ActivationsWritten, unfused ? kvTensor : 0), layers);
        Add(b, layers, TensorClass.ActivationsRead, unfused ? kvTensor : 0, unfused ? kvTensor : 0);
    }
}
