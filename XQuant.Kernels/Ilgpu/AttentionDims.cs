namespace XQuant.Kernels.Ilgpu;

/// <summary>Attention sizes for the ILGPU kernel.</summary>
public readonly struct AttentionDims
{
    public AttentionDims(int tokens, int group, int headDim, int kvDim, float scoreScale)
    {
        Tokens = tokens;
        Group = group;
        HeadDim = headDim;
        KvDim = kvDim;
        ScoreScale = scoreScale;
    }

    public int Tokens { get; }

    public int Group { get; }

    public int HeadDim { get; }

    public int KvDim { get; }

    public float ScoreScale { get; }
}
