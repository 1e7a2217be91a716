using System.Runtime.CompilerServices;

namespace XQuant.Sim.Domain.CostModel;

/// <summary>
/// Bytes per <see cref="TensorClass"/>, stored inline in the op that owns them: a ledger op was two objects (the op
/// and its array), and a swept case builds ~44 of them, so the array alone was a third of a case's allocation.
/// </summary>
[InlineArray(TensorClasses.Count)]
internal struct ClassBytes
{
    private double _element0;

    /// <summary>The sum in class order (as Enumerable.Sum over an array adds, so totals stay bit-identical).</summary>
    public readonly double Sum()
    {
        double s = 0;
        foreach (double v in this)
        {
            s += v;
        }
        return s;
    }
}
