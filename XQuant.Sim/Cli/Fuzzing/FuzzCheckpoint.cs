using System.Globalization;
using System.Text;

namespace XQuant.Sim.Cli.Fuzzing;

/// <summary>
/// A tiny Llama checkpoint (config.json + one F32 model.safetensors, about 400 KB) written by the fuzzer itself, so
/// the tokenizer kind can drive the real `accuracy --text` path, the only CLI path that loads a tokenizer.json, without
/// any download. Its vocabulary (300) is larger than every id of the seed tokenizers (the byte-level one has 256 byte
/// tokens).
/// </summary>
public static class FuzzCheckpoint
{
    public const int Vocab = 300;
    private const int D = 64, Layers = 2, Heads = 4, KvHeads = 2, HeadDim = 16, F = 96;

    /// <summary>Writes config.json and model.safetensors into <paramref name="dir"/>; the weights come from a fixed seed.</summary>
    public static void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), string.Create(CultureInfo.InvariantCulture,
            $"{{\"model_type\":\"llama\",\"hidden_size\":{D},\"num_hidden_layers\":{Layers},\"num_attention_heads\":{Heads},\"num_key_value_heads\":{KvHeads},\"intermediate_size\":{F},\"vocab_size\":{Vocab},\"rms_norm_eps\":1e-6,\"rope_theta\":10000.0,\"max_position_embeddings\":128}}"));
        var rng = new Random(17);
        var tensors = new List<(string Name, int[] Shape, float Offset, float Scale)>
        {
            ("model.embed_tokens.weight", [Vocab, D], 0, 1),
        };
        for (int l = 0; l < Layers; l++)
        {
            string p = $"model.layers.{l}.";
            tensors.Add((p + "input_layernorm.weight", [D], 1, 0.2f));
            tensors.Add((p + "post_attention_layernorm.weight", [D], 1, 0.2f));
            tensors.Add((p + "self_attn.q_proj.weight", [Heads * HeadDim, D], 0, 0.2f));
            tensors.Add((p + "self_attn.k_proj.weight", [KvHeads * HeadDim, D], 0, 0.2f));
            tensors.Add((p + "self_attn.v_proj.weight", [KvHeads * HeadDim, D], 0, 0.2f));
            tensors.Add((p + "self_attn.o_proj.weight", [D, Heads * HeadDim], 0, 0.2f));
            tensors.Add((p + "mlp.gate_proj.weight", [F, D], 0, 0.2f));
            tensors.Add((p + "mlp.up_proj.weight", [F, D], 0, 0.2f));
            tensors.Add((p + "mlp.down_proj.weight", [D, F], 0, 0.2f));
        }
        tensors.Add(("model.norm.weight", [D], 1, 0.2f));
        tensors.Add(("lm_head.weight", [Vocab, D], 0, 0.3f));

        // The safetensors layout: u64 header length, JSON header, little-endian data.
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        using var data = new MemoryStream();
        foreach (var (name, shape, offset, scale) in tensors)
        {
            long begin = data.Length;
            long n = shape.Aggregate(1L, (a, b) => a * b);
            for (long i = 0; i < n; i++)
            {
                data.Write(BitConverter.GetBytes(offset + (scale * ((2 * rng.NextSingle()) - 1))));
            }
            header.Append(CultureInfo.InvariantCulture, $",\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
        }
        header.Append('}');
        byte[] h = Encoding.UTF8.GetBytes(header.ToString());
        using var f = File.Create(Path.Combine(dir, "model.safetensors"));
        f.Write(BitConverter.GetBytes((long)h.Length));
        f.Write(h);
        data.Position = 0;
        data.CopyTo(f);
    }
}
