namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// One timed kernel of <see cref="TiledBench"/>: the least DRAM traffic the work needs (<see cref="MinimumBytes"/>:
/// inputs read once, outputs written once, no scratch), its floating-point operations, and the median of the timed
/// runs (launch + synchronize, device-resident buffers, L2 evicted before each run on a GPU).
/// </summary>
public sealed record TiledMeasurement(string Kernel, double MinimumBytes, double Flops, double MedianSec, int Runs, string Note = "")
{
    public double BytesPerSec => MinimumBytes / MedianSec;

    public double FlopsPerSec => Flops / MedianSec;

    /// <summary>Flops per byte of minimum traffic.</summary>
    public double FlopsPerByte => MinimumBytes > 0 ? Flops / MinimumBytes : double.PositiveInfinity;
}
