using System.Globalization;

namespace XQuant.Sim.Studies.Serving;

/// <summary>Token lengths of requests: fixed (Min = Max) or uniform over the whole numbers Min..Max.</summary>
public sealed record LengthSpec(int Min, int Max)
{
    public bool IsFixed => Min == Max;

    public int Draw(Random rng) => IsFixed ? Min : rng.Next(Min, Max + 1);

    public override string ToString() => IsFixed
        ? Min.ToString(CultureInfo.InvariantCulture)
        : $"uniform {Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)}";
}
