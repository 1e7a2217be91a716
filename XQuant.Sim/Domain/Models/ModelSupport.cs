using System.Text.Json;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Domain.Models;

/// <summary>
/// What of a config.json xqsim can honour beyond the dense Llama shape. A config naming an architecture or a field
/// that changes the cost and that xqsim does not model is refused, one line per field, rather than costed as a
/// dense Llama; the mixture-of-experts fields are read into a <see cref="MoeConfig"/>.
/// </summary>
public static class ModelSupport
{
    /// <summary>model_type values whose decoder xqsim models (Llama-shaped attention, SwiGLU FFN, optionally MoE).</summary>
    public static readonly IReadOnlyList<string> ModelTypes = ["llama", "mistral", "mixtral", "qwen2", "qwen3", "qwen3_moe", "deepseek_v2", "deepseek_v3", "gemma2", "gpt_oss"];

    /// <summary>architectures entries matching <see cref="ModelTypes"/>.</summary>
    public static readonly IReadOnlyList<string> Architectures =
        ["LlamaForCausalLM", "MistralForCausalLM", "MixtralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "Qwen3MoeForCausalLM", "DeepseekV2ForCausalLM", "DeepseekV3ForCausalLM", "Gemma2ForCausalLM", "GptOssForCausalLM"];

    private static readonly string[] ExpertCountKeys = ["num_local_experts", "num_experts", "n_routed_experts"];

    private const string Refusal = "xqsim does not model it, and refuses rather than cost the model as a dense Llama";

    /// <summary>Adds one error per field that names something xqsim cannot honour.</summary>
    public static void RejectUnmodelled(JsonFields f, long maxPositionEmbeddings)
    {
        string? modelType = f.OptionalString("model_type");
        if (modelType is not null && !ModelTypes.Contains(modelType, StringComparer.Ordinal))
        {
            f.Error("model_type", $"'{JsonFields.Truncate(modelType)}' is not a modelled architecture (modelled: {string.Join(", ", ModelTypes)}); {Refusal}");
        }
        foreach (var a in f.Array("architectures", required: false) ?? [])
        {
            string name = a.ValueKind == JsonValueKind.String ? a.GetString() ?? "" : JsonFields.Describe(a);
            if (!Architectures.Contains(name, StringComparer.Ordinal))
            {
                f.Error("architectures", $"'{JsonFields.Truncate(name)}' is not a modelled architecture (modelled: {string.Join(", ", Architectures)}); {Refusal}");
            }
        }
        if ((f.OptionalInteger("decoder_sparse_step", 1, 1L << 20) ?? 1) != 1)
        {
            f.Error("decoder_sparse_step", $"MoE on only some layers: {Refusal}");
        }
        if ((f.Array("mlp_only_layers", required: false) ?? []).Count > 0)
        {
            f.Error("mlp_only_layers", $"dense FFN on chosen MoE layers: {Refusal}");
        }
        if ((f.OptionalInteger("moe_layer_freq", 1, 1L << 20) ?? 1) != 1)
        {
            f.Error("moe_layer_freq", $"MoE on every n-th layer: {Refusal}");
        }
    }

    /// <summary>
    /// The MoE fields as published: experts from num_local_experts (Mixtral, gpt-oss), num_experts (Qwen-MoE) or
    /// n_routed_experts (DeepSeek); num_experts_per_tok; moe_intermediate_size (defaults to intermediate_size, as in
    /// Mixtral); n_shared_experts; first_k_dense_replace. Null for a dense model.
    /// </summary>
    public static MoeConfig? ReadMoe(JsonFields f, long layers)
    {
        string? expertsKey = ExpertCountKeys.FirstOrDefault(f.Has);
        if (expertsKey is null)
        {
            return null;
        }
        long experts = f.OptionalInteger(expertsKey, 0, 1 << 20) ?? 0;
        if (experts == 0)
        {
            return null;
        }
        long perToken = f.RequiredInteger("num_experts_per_tok", 1, 1 << 20);
        if (perToken > experts)
        {
            f.Error("num_experts_per_tok", $"{perToken} is more than the {experts} experts of {expertsKey}");
        }
        long width = f.OptionalInteger("moe_intermediate_size", 1, 1L << 24) ?? f.OptionalInteger("intermediate_size", 1, 1L << 24) ?? 1;
        long shared = f.OptionalInteger("n_shared_experts", 0, 1 << 20) ?? 0;
        long firstDense = f.OptionalInteger("first_k_dense_replace", 0, Math.Max(layers, 0)) ?? 0;
        return new MoeConfig((int)experts, (int)Math.Min(perToken, experts), (int)width, (int)shared, (int)firstDense);
    }

    private static readonly string[] QwenTypes = ["qwen2", "qwen3", "qwen3_moe"];

    /// <summary>
    /// Local attention as published: an active sliding_window (set, use_sliding_window not false, smaller than
    /// max_position_embeddings) makes every layer local unless layer_types says which are ("sliding_attention" or
    /// "full_attention" per layer). Qwen's use_sliding_window with max_window_layers is refused. Null when no layer is local.
    /// </summary>
    public static AttentionWindow? ReadWindow(JsonFields f, long layers, long maxPositionEmbeddings)
    {
        bool enabled = f.Has("sliding_window") && f.OptionalBool("use_sliding_window") != false;
        long window = enabled ? f.OptionalInteger("sliding_window", 1, 1L << 40) ?? 0 : 0;
        bool active = window > 0 && (maxPositionEmbeddings == 0 || window < maxPositionEmbeddings);
        var types = f.Array("layer_types", required: false);
        if (types is not null)
        {
            var local = new List<bool>();
            foreach (var t in types)
            {
                string? name = t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (name is not ("sliding_attention" or "full_attention"))
                {
                    f.Error("layer_types", $"'{JsonFields.Truncate(name ?? JsonFields.Describe(t))}' is not sliding_attention or full_attention: {Refusal}");
                    return null;
                }
                local.Add(name == "sliding_attention");
            }
            if (local.Count != layers)
            {
                f.Error("layer_types", $"has {local.Count} entries for {layers} num_hidden_layers");
                return null;
            }
            if (local.Contains(true) && window == 0)
            {
                f.Error("sliding_window", "layer_types names sliding_attention layers but sliding_window is not set");
                return null;
            }
            return active && local.Contains(true) ? new AttentionWindow((int)Math.Min(window, int.MaxValue), local) : null;
        }
        if (!active)
        {
            return null;
        }
        string? modelType = f.OptionalString("model_type");
        if (string.Equals(modelType, "gemma2", StringComparison.Ordinal))
        {
            // Gemma-2 publishes no layer_types: its layers alternate, even ones local (transformers' Gemma2Config default).
            return new AttentionWindow((int)Math.Min(window, int.MaxValue), Enumerable.Range(0, (int)layers).Select(i => i % 2 == 0).ToList());
        }
        if (modelType is not null && QwenTypes.Contains(modelType, StringComparer.Ordinal))
        {
            f.Error("sliding_window", $"use_sliding_window with max_window_layers (Qwen's partial sliding window): {Refusal}");
            return null;
        }
        return new AttentionWindow((int)Math.Min(window, int.MaxValue), Enumerable.Repeat(true, (int)layers).ToList());
    }

    /// <summary>
    /// tie_word_embeddings when a config leaves it out: the default of the model type's transformers config class
    /// (true for gemma2, whose published config.json omits it; false for the others xqsim models).
    /// </summary>
    public static bool DefaultTieWordEmbeddings(string modelType) => string.Equals(modelType, "gemma2", StringComparison.Ordinal);

    /// <summary>
    /// The additions of gemma2 (two more norms per layer), gpt_oss (output-projection bias, attention sinks, expert and
    /// router biases) and DeepSeek-V3 (num_nextn_predict_layers, not counted); attn_logit_softcapping and
    /// final_logit_softcapping on any model type. Null when a config has none of them.
    /// </summary>
    public static ArchitectureExtras? ReadExtras(JsonFields f, string modelType, bool attentionBias)
    {
        bool gemma2 = string.Equals(modelType, "gemma2", StringComparison.Ordinal);
        bool gptOss = string.Equals(modelType, "gpt_oss", StringComparison.Ordinal);
        double attnCap = f.OptionalNumber("attn_logit_softcapping", 0, 1e9) ?? 0;
        double finalCap = f.OptionalNumber("final_logit_softcapping", 0, 1e9) ?? 0;
        long mtp = f.OptionalInteger("num_nextn_predict_layers", 0, 1 << 10) ?? 0;
        if (!gemma2 && !gptOss && attnCap == 0 && finalCap == 0 && mtp == 0)
        {
            return null;
        }
        return new ArchitectureExtras
        {
            ExtraNormsPerLayer = gemma2 ? 2 : 0,
            OutputProjectionBias = gptOss && attentionBias,
            AttentionSinks = gptOss,
            ExpertBiases = gptOss,
            AttentionLogitSoftcap = attnCap,
            FinalLogitSoftcap = finalCap,
            NextTokenPredictionLayers = (int)mtp,
        };
    }

    /// <summary>
    /// MLA from kv_lora_rank, q_lora_rank (null: no query bottleneck), qk_nope_head_dim, qk_rope_head_dim and
    /// v_head_dim; q_lora_rank without kv_lora_rank is refused. Null for a model without kv_lora_rank.
    /// </summary>
    public static MlaConfig? ReadMla(JsonFields f)
    {
        if (!f.Has("kv_lora_rank"))
        {
            if (f.Has("q_lora_rank"))
            {
                f.Error("q_lora_rank", $"a query bottleneck without kv_lora_rank (MLA): {Refusal}");
            }
            return null;
        }
        long kv = f.RequiredInteger("kv_lora_rank", 1, 1 << 20);
        long q = f.OptionalInteger("q_lora_rank", 1, 1 << 20) ?? 0;
        long nope = f.RequiredInteger("qk_nope_head_dim", 1, 1 << 16);
        long rope = f.RequiredInteger("qk_rope_head_dim", 1, 1 << 16);
        long v = f.RequiredInteger("v_head_dim", 1, 1 << 16);
        return new MlaConfig((int)kv, (int)q, (int)nope, (int)rope, (int)v);
    }
}
