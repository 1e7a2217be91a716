namespace XQuant.Kernels.Suite;

/// <summary>Error of a cache scheme against the FP16 path: relative Frobenius error of K, V and the attention output.</summary>
public sealed record SchemeError(string Scheme, double KeyError, double ValueError, double OutputError);
