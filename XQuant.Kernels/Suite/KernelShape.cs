namespace XQuant.Kernels.Suite;

/// <summary>
/// Sizes for one kernel check: <see cref="Tokens"/> cached tokens, hidden size <see cref="HiddenSize"/>, KV width
/// <see cref="KvDim"/> = kv heads x <see cref="HeadDim"/>, and <see cref="QueryHeadsPerKvHead"/> query heads per KV head.
/// </summary>
public sealed record KernelShape(int Tokens, int HiddenSize, int KvDim, int HeadDim = 32, int QueryHeadsPerKvHead = 2, int GroupSize = 64)
{
    /// <summary>Small enough for ILGPU's CPU emulator to finish in seconds.</summary>
    public static KernelShape Default { get; } = new(256, 256, 128);

    public int KvHeads => KvDim / HeadDim;

    public int Heads => KvHeads * QueryHeadsPerKvHead;

    /// <summary>Every problem with the shape, empty when it is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Tokens < 1 || Tokens > 1 << 20)
        {
            p.Add($"tokens={Tokens}: must be 1 to {1 << 20}");
        }
        if (HiddenSize < 2 || HiddenSize > 1 << 16)
        {
            p.Add($"d={HiddenSize}: must be 2 to {1 << 16}");
        }
        if (HeadDim < 2 || HeadDim % 2 != 0)
        {
            p.Add($"headdim={HeadDim}: must be even and at least 2");
        }
        if (KvDim < 1 || KvDim > HiddenSize || (HeadDim > 0 && KvDim % HeadDim != 0))
        {
            p.Add($"dkv={KvDim}: must be a multiple of headdim={HeadDim} and at most d={HiddenSize}");
        }
        if (QueryHeadsPerKvHead < 1 || QueryHeadsPerKvHead > 64)
        {
            p.Add($"group={QueryHeadsPerKvHead}: must be 1 to 64");
        }
        if (GroupSize < 1)
        {
            p.Add($"g={GroupSize}: must be at least 1");
        }
        return p;
    }

    public override string ToString() =>
        $"tokens={Tokens}, d={HiddenSize}, dkv={KvDim} ({KvHeads} KV heads x {HeadDim}, {Heads} query heads), G={GroupSize}";
}
