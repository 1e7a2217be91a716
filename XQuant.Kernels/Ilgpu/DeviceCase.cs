namespace XQuant.Kernels.Ilgpu;

/// <summary>
/// One timed unit of device work on device-resident buffers: <see cref="Run"/> launches the kernel(s) and waits
/// for the device (Accelerator.Synchronize), with no host copy. Owns its buffers: dispose it after timing.
/// </summary>
public sealed class DeviceCase : IDisposable
{
    private readonly IDisposable[] buffers;

    public DeviceCase(Action run, params IDisposable[] buffers)
    {
        ArgumentNullException.ThrowIfNull(run);
        Run = run;
        this.buffers = buffers;
    }

    public Action Run { get; }

    public void Dispose()
    {
        foreach (var b in buffers)
        {
            b.Dispose();
        }
    }
}
