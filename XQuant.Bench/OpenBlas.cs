using System.Runtime.InteropServices;

namespace XQuant.Bench;

/// <summary>
/// OpenBLAS's cblas_sgemm, loaded at run time so the benchmark still runs (and says so) where the library is
/// missing. The benchmark alone uses it, as the yardstick for the fused remat GEMM.
/// </summary>
internal sealed unsafe class OpenBlas
{
    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;

    private OpenBlas(nint function, string path)
    {
        sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)function;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Loads libopenblas.so.0 (Debian libopenblas0), or returns null with the reason.</summary>
    public static OpenBlas? TryLoad(out string reason)
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0" })
        {
            if (NativeLibrary.TryLoad(name, out nint handle) && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint f))
            {
                reason = "";
                return new OpenBlas(f, name);
            }
        }
        reason = "libopenblas.so.0 not found (Debian: apt-get install libopenblas0); skipping the sgemm comparison";
        return null;
    }

    /// <summary>C (m x n) = A (m x k) B (k x n), all row-major.</summary>
    public void Sgemm(float[] a, float[] b, float[] c, int m, int n, int k)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            // CblasRowMajor = 101, CblasNoTrans = 111.
            sgemm(101, 111, 111, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        }
    }

    /// <summary>Sets an environment variable in the native environment (OpenBLAS reads getenv, not .NET's copy).</summary>
    public static bool SetEnv(string name, string value)
    {
        byte[] n = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        byte[] v = System.Text.Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* pn = n, pv = v)
        {
            return setenv(pn, pv, 1) == 0;
        }
    }

    [DllImport("libc")]
    private static extern int setenv(byte* name, byte* value, int overwrite);
}
