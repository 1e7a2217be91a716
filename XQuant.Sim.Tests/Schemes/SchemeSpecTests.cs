using XQuant.Sim.Domain.Schemes;

namespace XQuant.Sim.Tests.Schemes;

[TestClass]
public sealed class SchemeSpecTests
{
    [TestMethod]
    [DataRow("fp16")]
    [DataRow("kivi:2")]
    [DataRow("kivi:3,g=64,window=0,kaxis=token,meta=fp32,keys=post,first=3@4")]
    [DataRow("xquant:4")]
    [DataRow("xquant:2,g=32,axis=channel,first=2@8,remat=vabsorb,rdtype=fp8")]
    [DataRow("xquant-cl:2")]
    [DataRow("xquant-cl:3,base=1@8,acc=16,g=64,remat=unfused")]
    [DataRow("xquant-gqa:2,fp16first=1,window=0")]
    [DataRow("xquant-cl-gqa:2,acc=2,axis=channel,rdtype=int8")]
    public void Spec_IsCanonical_AndParsesBackToAnEqualScheme(string text)
    {
        var scheme = TestData.Scheme(text);
        var again = TestData.Scheme(scheme.Spec);
        Assert.AreEqual(scheme, again);
        Assert.AreEqual(scheme.Spec, again.Spec);
    }

    [TestMethod]
    [DataRow("xquant-cl:2,base=3@4,acc=4,g=128", "xquant-cl:2", DisplayName = "defaults are dropped")]
    [DataRow("kivi:2,window=128", "kivi:2", DisplayName = "window defaults to g")]
    [DataRow("kivi:2,g=64,window=64", "kivi:2,g=64")]
    public void Spec_DropsDefaults(string text, string canonical) => Assert.AreEqual(canonical, TestData.Scheme(text).Spec);

    [TestMethod]
    [DataRow("xquant-cl:2,bogus=1", "unknown option 'bogus' for 'xquant-cl' (allowed: base, acc, g, axis, meta, remat, rdtype)")]
    [DataRow("xquant-cl:2,base=0@4", "option base: at least one base layer is needed")]
    [DataRow("kivi", "'kivi' needs a bit width")]
    [DataRow("fp16:4", "'fp16' takes no bit width")]
    [DataRow("xquant:4,remat=magic", "option remat='magic' not allowed (allowed: fused, unfused, vabsorb)")]
    [DataRow("xquant:4,g=8,g=16", "option 'g' given twice")]
    public void BadSpecs_SayWhatIsWrongAndWhatIsAllowed(string text, string message)
    {
        var errors = new List<string>();
        Assert.IsNull(SchemeRegistry.TryParse(text, errors));
        Assert.IsTrue(errors.Any(e => e.Contains(message, StringComparison.Ordinal)), string.Join(" | ", errors));
    }

    [TestMethod]
    public void CliList_SplitsSchemesAndKeepsOptionsWithTheirScheme()
    {
        CollectionAssert.AreEqual(
            new[] { "fp16", "kivi:2", "xquant-cl:2,base=3@4,acc=16", "xquant:4" },
            SchemeRegistry.SplitCliList("fp16,kivi:2,xquant-cl:2,base=3@4,acc=16,xquant:4").ToArray());
    }

    [TestMethod]
    public void GroupThatDoesNotFit_IsRejectedForTheModel()
    {
        var m = TestData.Model("llama-3.1-8b");
        Assert.AreEqual(1, TestData.Scheme("xquant-gqa:2,g=2048").Validate(m).Count);
        Assert.AreEqual(1, TestData.Scheme("xquant-cl:2,base=40@4").Validate(m).Count);
        Assert.AreEqual(0, TestData.Scheme("xquant-cl-gqa:2,g=2048").Validate(m).Count);
    }
}
