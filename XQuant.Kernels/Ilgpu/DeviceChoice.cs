namespace XQuant.Kernels.Ilgpu;

/// <summary>Where kernels run. Auto prefers CUDA, then OpenCL, then the fast CPU path, and says which it took.</summary>
public enum DeviceChoice
{
    Auto,
    Cuda,
    OpenCL,

    /// <summary>The fast CPU twins (Vector512 + Parallel.For): the path for measured CPU timings.</summary>
    Cpu,

    /// <summary>ILGPU's CPU accelerator: an emulator for correctness, hundreds of times slower than <see cref="Cpu"/>.</summary>
    IlgpuCpu,
}
