using System.Runtime.InteropServices;

namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// Four adjacent floats read as one element of a <c>Cast&lt;Float4&gt;()</c> view: one 16-byte load per thread where
/// the backend vectorizes structure loads (ILGPU's PTX backend emits vector IO for aligned structures; whether it
/// does here on sm_90 is unverified until a GPU run). Callers only use it where the float index is a multiple of 4.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Float4
{
    public float V0;
    public float V1;
    public float V2;
    public float V3;
}
