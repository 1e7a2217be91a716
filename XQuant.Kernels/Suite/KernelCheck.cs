namespace XQuant.Kernels.Suite;

/// <summary>
/// One kernel run on one device, checked against the scalar reference. <see cref="BitExact"/> is set for
/// quantization (codes, scales and zeros compared bit for bit) and null for float kernels, which report
/// <see cref="MaxAbsError"/> and <see cref="RelativeError"/> (Frobenius) instead. <see cref="MedianSec"/>
/// is the median wall time of the timed runs (ILGPU runs include host-device copies).
/// </summary>
public sealed record KernelCheck(string Kernel, string Implementation, bool? BitExact, double MaxAbsError, double RelativeError, double MedianSec, string Note = "");
