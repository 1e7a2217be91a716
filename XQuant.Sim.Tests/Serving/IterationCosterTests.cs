using XQuant.Sim.Domain.CostModel;
using XQuant.Sim.Studies.Serving;

namespace XQuant.Sim.Tests.Serving;

[TestClass]
public sealed class IterationCosterTests
{
    [TestMethod]
    [DataRow("fp16", true)]
    [DataRow("kivi:2", true)]
    [DataRow("xquant:4", true)]
    [DataRow("xquant-cl:2", true)]
    [DataRow("xquant-gqa:2", true)]
    [DataRow("xquant-cl-gqa:2", false)]
    [DataRow("kivi:2", false)]
    public void UniformBatch_EqualsTheLedgerAtThatBatch(string scheme, bool overlapped)
    {
        var w = ServingKit.Template(scheme);
        var coster = new IterationCoster(w, overlapped);
        ServingKit.UniformBatchesAreTheLedger(w, coster, overlapped, (1, 1000), (8, 300), (64, 1000), (256, 129));
    }

    [TestMethod]
    public void MixedBatch_StreamsWeightsOnce_AndSumsCacheTraffic()
    {
        var w = ServingKit.Template("fp16");
        var coster = new IterationCoster(w);
        var acc = coster.NewAccumulator();
        IterationCoster.Add(acc, coster.Decode(100));
        IterationCoster.Add(acc, coster.Decode(3000));
        var t = coster.Time(acc);
        var a = Roofline.Step(w with { ContextTokens = 100 });
        var b = Roofline.Step(w with { ContextTokens = 3000 });
        double weights = a.Bytes(TensorClass.Weights);
        double embeddingRow = w.Model.HiddenSize * 2.0; // the embedding reads one row per token: not shared
        // DRAM: weights once (+ one more embedding row), everything else of both sequences.
        ServingKit.Near(a.DramBytes + b.DramBytes - weights + embeddingRow, t.DramBytes, 1e-12);
        ServingKit.Near(a.Flops + b.Flops, t.Flops, 1e-12);
    }

    [TestMethod]
    public void PrefixRead_UnderXQuant_RematerializesTheEarlierChunks()
    {
        // A chunk after p cached tokens rebuilds their K and V from X: 2 x 2 (p + 1) d d_kv FLOPs per layer (K and
        // V, N = p + 1 as the decode ledger counts), plus dequantizing p tokens of X.
        var w = ServingKit.Template("xquant:4");
        var m = w.Model;
        var coster = new IterationCoster(w);
        int p = 1000;
        var v = coster.PrefixRead(p);
        double remat = 0;
        for (int s = 0; s < coster.Slots; s++)
        {
            if (coster.SlotName(s) is "remat_k" or "remat_v")
            {
                remat += v[s * 6];
            }
        }
        ServingKit.Near(m.Layers * 2 * 2.0 * (p + 1) * m.HiddenSize * m.KvDim, remat, 1e-12);
        // FP16 KV reads the cached K and V instead and does no remat.
        var fp = new IterationCoster(ServingKit.Template("fp16"));
        var f = fp.PrefixRead(p);
        Assert.IsTrue(Enumerable.Range(0, fp.Slots).All(s => fp.SlotName(s) is not ("remat_k" or "remat_v")));
        double persistent = Enumerable.Range(0, fp.Slots).Sum(s => f[s * 6 + 1]);
        ServingKit.Near(m.Layers * 2.0 * p * m.KvDim * 2.0, persistent, 1e-12);
    }

    [TestMethod]
    public void Chunks_AddUpToThePromptPlusWhatChunkingRereads()
    {
        // Two chunks of a prompt cost the whole prompt's ledger FLOPs plus the prefix reread of the second chunk.
        foreach (string scheme in new[] { "fp16", "xquant:4", "kivi:2" })
        {
            var coster = new IterationCoster(ServingKit.Template(scheme));
            var whole = coster.NewAccumulator();
            IterationCoster.Add(whole, coster.Chunk(0, 2048, samples: true));
            var first = coster.NewAccumulator();
            IterationCoster.Add(first, coster.Chunk(0, 1024, samples: false));
            var second = coster.NewAccumulator();
            IterationCoster.Add(second, coster.Chunk(1024, 1024, samples: true));
            var prefix = coster.NewAccumulator();
            IterationCoster.Add(prefix, coster.PrefixRead(1024));
            double lhs = coster.Time(first).Flops + coster.Time(second).Flops;
            double rhs = coster.Time(whole).Flops + coster.Time(prefix).Flops;
            ServingKit.Near(rhs, lhs, 1e-12, scheme);
        }
    }
}
