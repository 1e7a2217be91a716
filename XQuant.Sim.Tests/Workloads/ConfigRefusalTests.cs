using System.Text.Json;
using XQuant.Sim.Domain.Models;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Tests.Workloads;

[TestClass]
public sealed class ConfigRefusalTests
{
    private const string Dense =
        "\"hidden_size\":4096,\"num_hidden_layers\":32,\"num_attention_heads\":32,\"num_key_value_heads\":8,\"intermediate_size\":14336,\"vocab_size\":32000,\"max_position_embeddings\":32768";

    private static (ModelConfig? Model, List<InputError> Errors) Read(string extra)
    {
        var errors = new List<InputError>();
        using var doc = JsonDocument.Parse("{" + Dense + extra + "}");
        var m = ModelConfigLoader.TryRead("config.json", "m", doc.RootElement, errors);
        return (m, errors);
    }

    [TestMethod]
    [DataRow(",\"model_type\":\"gemma3_text\"", "model_type")]
    [DataRow(",\"model_type\":\"falcon_h1\"", "model_type")]
    [DataRow(",\"architectures\":[\"Gemma3ForCausalLM\"]", "architectures")]
    [DataRow(",\"kv_lora_rank\":512,\"qk_nope_head_dim\":128,\"qk_rope_head_dim\":64", "v_head_dim")]
    [DataRow(",\"q_lora_rank\":1536", "q_lora_rank")]
    [DataRow(",\"model_type\":\"qwen2\",\"sliding_window\":4096,\"use_sliding_window\":true", "sliding_window")]
    [DataRow(",\"sliding_window\":4096,\"layer_types\":[\"sliding_attention\",\"full_attention\"]", "layer_types")]
    [DataRow(",\"sliding_window\":4096,\"layer_types\":[\"chunked_attention\"]", "layer_types")]
    [DataRow(",\"num_experts\":8,\"num_experts_per_tok\":2,\"decoder_sparse_step\":2", "decoder_sparse_step")]
    [DataRow(",\"num_experts\":8,\"num_experts_per_tok\":2,\"mlp_only_layers\":[0]", "mlp_only_layers")]
    [DataRow(",\"num_local_experts\":8", "num_experts_per_tok")]
    public void UnmodelledField_IsRefusedWithOneLineNamingIt(string extra, string field)
    {
        var (m, errors) = Read(extra);
        Assert.IsNull(m, "an unmodelled config must never be costed");
        Assert.AreEqual(1, errors.Count, string.Join("\n", errors));
        Assert.AreEqual(field, errors[0].Field);
        Assert.IsFalse(errors[0].ToString().Contains('\n', StringComparison.Ordinal));
    }

    [TestMethod]
    [DataRow("")]
    [DataRow(",\"model_type\":\"mistral\",\"sliding_window\":null")]
    [DataRow(",\"model_type\":\"qwen2\",\"sliding_window\":131072,\"use_sliding_window\":false")]
    [DataRow(",\"model_type\":\"llama\",\"sliding_window\":32768")]
    public void InertFields_AreAccepted(string extra)
    {
        var (m, errors) = Read(extra);
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
        Assert.IsNotNull(m);
        Assert.IsNull(m.Moe);
    }

    [TestMethod]
    public void MixtralFields_ReadAsMoe_AndCountTheKnownParameters()
    {
        var (m, errors) = Read(",\"model_type\":\"mixtral\",\"architectures\":[\"MixtralForCausalLM\"],\"num_local_experts\":8,\"num_experts_per_tok\":2,\"sliding_window\":null");
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
        Assert.AreEqual(new MoeConfig(8, 2, 14336, 0, 0), m!.Moe);
        // Mixtral-8x7B's published parameter count: 46,702,792,704.
        Assert.AreEqual(46_702_792_704.0, m.TotalParams);
    }

    [TestMethod]
    public void DeepSeekStyleMoeFields_AreRead()
    {
        var (m, errors) = Read(",\"n_routed_experts\":64,\"num_experts_per_tok\":6,\"moe_intermediate_size\":1408,\"n_shared_experts\":2,\"first_k_dense_replace\":1,\"moe_layer_freq\":1");
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
        Assert.AreEqual(new MoeConfig(64, 6, 1408, 2, 1), m!.Moe);
    }

    [TestMethod]
    public void Cli_RefusesAnUnmodelledConfig_WithOneLineAndExit2()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "config.json");
        File.WriteAllText(path, "{" + Dense + ",\"model_type\":\"gemma3_text\"}");
        var (code, stdout, err) = TestCli.Run("ledger", "--model", path, "--hardware", "h100-sxm");
        Assert.AreEqual(2, code, err);
        Assert.AreEqual("", stdout);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, err);
        StringAssert.Contains(lines[0], "model_type");
    }
}
