using System.Globalization;
using System.Text;
using XQuant.Kernels.Quantization;

namespace XQuant.Sim.Tests.Checkpoints;

/// <summary>Writes a tiny Llama checkpoint in safetensors format (the test's own bytes: no download) and keeps its weights in HF layout.</summary>
internal sealed class TinyCheckpoint
{
    public const int D = 64, Layers = 2, Heads = 4, KvHeads = 2, HeadDim = 16, F = 96, Vocab = 50;

    public TinyCheckpoint(int seed)
    {
        var rng = new Random(seed);
        float[] R(long n, float scale) => Enumerable.Range(0, (int)n).Select(_ => scale * ((2 * rng.NextSingle()) - 1)).ToArray();
        Tensors["model.embed_tokens.weight"] = ([Vocab, D], R(Vocab * D, 1));
        for (int l = 0; l < Layers; l++)
        {
            string p = $"model.layers.{l}.";
            Tensors[p + "input_layernorm.weight"] = ([D], R(D, 0.2f).Select(x => 1 + x).ToArray());
            Tensors[p + "post_attention_layernorm.weight"] = ([D], R(D, 0.2f).Select(x => 1 + x).ToArray());
            Tensors[p + "self_attn.q_proj.weight"] = ([Heads * HeadDim, D], R(Heads * HeadDim * D, 0.2f));
            Tensors[p + "self_attn.k_proj.weight"] = ([KvHeads * HeadDim, D], R(KvHeads * HeadDim * D, 0.2f));
            Tensors[p + "self_attn.v_proj.weight"] = ([KvHeads * HeadDim, D], R(KvHeads * HeadDim * D, 0.2f));
            Tensors[p + "self_attn.o_proj.weight"] = ([D, Heads * HeadDim], R(D * Heads * HeadDim, 0.2f));
            Tensors[p + "mlp.gate_proj.weight"] = ([F, D], R(F * D, 0.2f));
            Tensors[p + "mlp.up_proj.weight"] = ([F, D], R(F * D, 0.2f));
            Tensors[p + "mlp.down_proj.weight"] = ([D, F], R(D * F, 0.2f));
        }
        Tensors["model.norm.weight"] = ([D], R(D, 0.2f).Select(x => 1 + x).ToArray());
        Tensors["lm_head.weight"] = ([Vocab, D], R(Vocab * D, 0.3f));
    }

    public Dictionary<string, (long[] Shape, float[] Data)> Tensors { get; } = new(StringComparer.Ordinal);

    public static string Config(string extra = "") => string.Create(CultureInfo.InvariantCulture,
        $"{{\"model_type\":\"llama\",\"hidden_size\":{D},\"num_hidden_layers\":{Layers},\"num_attention_heads\":{Heads},\"num_key_value_heads\":{KvHeads},\"intermediate_size\":{F},\"vocab_size\":{Vocab},\"rms_norm_eps\":1e-6,\"rope_theta\":10000.0,\"max_position_embeddings\":128{extra}}}");

    /// <summary>Writes config.json and the tensors in <paramref name="dtype"/> (F32, F16, BF16), split over <paramref name="shards"/> files.</summary>
    public void Write(string dir, string dtype, int shards)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), Config());
        var names = Tensors.Keys.ToList();
        var map = new List<string>();
        for (int s = 0; s < shards; s++)
        {
            string file = shards == 1 ? "model.safetensors" : $"model-{s + 1:00000}-of-{shards:00000}.safetensors";
            var mine = names.Where((_, i) => i % shards == s).ToList();
            WriteFile(Path.Combine(dir, file), mine.Select(n => (n, dtype, Tensors[n].Shape, Tensors[n].Data)));
            map.AddRange(mine.Select(n => $"\"{n}\":\"{file}\""));
        }
        if (shards > 1)
        {
            File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), $"{{\"metadata\":{{}},\"weight_map\":{{{string.Join(",", map)}}}}}");
        }
    }

    /// <summary>The safetensors format: u64 header length, JSON header, data.</summary>
    public static void WriteFile(string path, IEnumerable<(string Name, string DType, long[] Shape, float[] Data)> tensors)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        var data = new MemoryStream();
        foreach (var (name, dtype, shape, values) in tensors)
        {
            long begin = data.Length;
            foreach (float v in values)
            {
                switch (dtype)
                {
                    case "F32":
                        data.Write(BitConverter.GetBytes(v));
                        break;
                    case "F16":
                        data.Write(BitConverter.GetBytes(HalfBits.FromFloat(v)));
                        break;
                    default:
                        data.Write(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16)));
                        break;
                }
            }
            header.Append(CultureInfo.InvariantCulture, $",\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
        }
        header.Append('}');
        var h = Encoding.UTF8.GetBytes(header.ToString());
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((long)h.Length));
        f.Write(h);
        data.Position = 0;
        data.CopyTo(f);
    }

    /// <summary>A plain Hugging Face Llama forward (y = x W^T, rotate-half RoPE, causal GQA softmax) of a whole sequence: the logits at the last position.</summary>
    public double[] ReferenceLogits(IReadOnlyList<int> ids, Func<float, float> round)
    {
        int n = ids.Count;
        float[] W(string name) => Tensors[name].Data.Select(round).ToArray();
        double[] Lin(double[] x, float[] w, int outDim, int inDim)
        {
            var y = new double[outDim];
            for (int o = 0; o < outDim; o++)
            {
                double s = 0;
                for (int i = 0; i < inDim; i++)
                {
                    s += w[(o * inDim) + i] * x[i];
                }
                y[o] = s;
            }
            return y;
        }
        double[] Norm(double[] x, float[] w)
        {
            double ms = x.Sum(v => v * v) / x.Length;
            return x.Select((v, i) => v / Math.Sqrt(ms + 1e-6) * w[i]).ToArray();
        }
        void Rope(double[] v, int pos)
        {
            int half = HeadDim / 2;
            for (int h0 = 0; h0 < v.Length; h0 += HeadDim)
            {
                for (int i = 0; i < half; i++)
                {
                    double a = pos * Math.Pow(10000.0, -2.0 * i / HeadDim), x0 = v[h0 + i], x1 = v[h0 + half + i];
                    v[h0 + i] = (x0 * Math.Cos(a)) - (x1 * Math.Sin(a));
                    v[h0 + half + i] = (x1 * Math.Cos(a)) + (x0 * Math.Sin(a));
                }
            }
        }
        var emb = W("model.embed_tokens.weight");
        var xs = ids.Select(id => emb.Skip(id * D).Take(D).Select(v => (double)v).ToArray()).ToArray();
        for (int l = 0; l < Layers; l++)
        {
            string p = $"model.layers.{l}.";
            var hs = xs.Select(x => Norm(x, W(p + "input_layernorm.weight"))).ToArray();
            var qs = hs.Select(h => Lin(h, W(p + "self_attn.q_proj.weight"), Heads * HeadDim, D)).ToArray();
            var ks = hs.Select(h => Lin(h, W(p + "self_attn.k_proj.weight"), KvHeads * HeadDim, D)).ToArray();
            var vs = hs.Select(h => Lin(h, W(p + "self_attn.v_proj.weight"), KvHeads * HeadDim, D)).ToArray();
            for (int t = 0; t < n; t++)
            {
                Rope(qs[t], t);
                Rope(ks[t], t);
            }
            for (int t = 0; t < n; t++)
            {
                var attn = new double[Heads * HeadDim];
                for (int h = 0; h < Heads; h++)
                {
                    int kh = h / (Heads / KvHeads);
                    var s = Enumerable.Range(0, t + 1).Select(j => Enumerable.Range(0, HeadDim).Sum(i => qs[t][(h * HeadDim) + i] * ks[j][(kh * HeadDim) + i]) / Math.Sqrt(HeadDim)).ToArray();
                    double m = s.Max(), z = s.Sum(v => Math.Exp(v - m));
                    for (int j = 0; j <= t; j++)
                    {
                        for (int i = 0; i < HeadDim; i++)
                        {
                            attn[(h * HeadDim) + i] += Math.Exp(s[j] - m) / z * vs[j][(kh * HeadDim) + i];
                        }
                    }
                }
                var o = Lin(attn, W(p + "self_attn.o_proj.weight"), D, Heads * HeadDim);
                for (int i = 0; i < D; i++)
                {
                    xs[t][i] += o[i];
                }
                var h2 = Norm(xs[t], W(p + "post_attention_layernorm.weight"));
                var g = Lin(h2, W(p + "mlp.gate_proj.weight"), F, D);
                var u = Lin(h2, W(p + "mlp.up_proj.weight"), F, D);
                var act = g.Select((gv, i) => gv / (1 + Math.Exp(-gv)) * u[i]).ToArray();
                var down = Lin(act, W(p + "mlp.down_proj.weight"), D, F);
                for (int i = 0; i < D; i++)
                {
                    xs[t][i] += down[i];
                }
            }
        }
        return Lin(Norm(xs[n - 1], W("model.norm.weight")), W("lm_head.weight"), Vocab, D);
    }
}
