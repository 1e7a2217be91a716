using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests.Parallelism;

[TestClass]
public sealed class TpLayoutSchemeTests
{
    [TestMethod]
    [DataRow("xquant:4,tp=tokens", TpLayout.Tokens)]
    [DataRow("xquant:4", TpLayout.Heads)]
    [DataRow("xquant-cl:2,tp=tokens", TpLayout.Tokens)]
    [DataRow("xquant-gqa:2,svd=per-rank", TpLayout.SvdPerRank)]
    [DataRow("xquant-gqa:2", TpLayout.SvdGlobal)]
    [DataRow("xquant-cl-gqa:2", TpLayout.SvdGlobal)]
    [DataRow("fp16", TpLayout.Heads)]
    [DataRow("kivi:2", TpLayout.Heads)]
    public void LayoutOption_ParsesAndPrintsBack(string spec, TpLayout expected)
    {
        var s = TestData.Scheme(spec);
        Assert.AreEqual(expected, s.TensorParallel);
        Assert.AreEqual(spec, s.Spec);
        Assert.AreEqual(s, TestData.Scheme(s.Spec));
    }

    [TestMethod]
    [DataRow("xquant:4,tp=rows", "option tp='rows' not allowed (allowed: heads, tokens)")]
    [DataRow("xquant-gqa:2,svd=local", "option svd='local' not allowed (allowed: global, per-rank)")]
    [DataRow("kivi:2,tp=tokens", "unknown option 'tp' for 'kivi'")]
    [DataRow("xquant-gqa:2,tp=tokens", "unknown option 'tp' for 'xquant-gqa'")]
    public void UnknownLayout_IsRefused(string spec, string expected)
    {
        var errors = new List<string>();
        Assert.IsNull(SchemeRegistry.TryParse(spec, errors));
        StringAssert.Contains(string.Join("; ", errors), expected);
    }
}
