using System.Runtime.InteropServices;

namespace XQuant.Sim.Studies.Measurement;

/// <summary>
/// OpenBLAS's cblas_sgemm, loaded at run time so the performance table still runs (and says so) where the library
/// is missing: the yardstick a tuned vendor GEMM sets for the fast CPU GEMMs.
/// </summary>
public sealed class OpenBlasSgemm
{
    // Blittable arrays are pinned for the duration of the call by the marshaller.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SgemmFunction(int order, int transA, int transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc);

    private readonly SgemmFunction sgemm;

    private OpenBlasSgemm(nint function, string path)
    {
        sgemm = Marshal.GetDelegateForFunctionPointer<SgemmFunction>(function);
        Path = path;
    }

    public string Path { get; }

    /// <summary>Loads libopenblas.so.0 (Debian libopenblas0), or returns null with the reason.</summary>
    public static OpenBlasSgemm? TryLoad(out string reason)
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0" })
        {
            if (NativeLibrary.TryLoad(name, out nint handle) && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint f))
            {
                reason = "";
                return new OpenBlasSgemm(f, name);
            }
        }
        reason = "libopenblas.so.0 not found (Debian: apt-get install libopenblas0)";
        return null;
    }

    /// <summary>C (m x n) = A (m x k) B (k x n), all row-major.</summary>
    public void Multiply(float[] a, float[] b, float[] c, int m, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        // CblasRowMajor = 101, CblasNoTrans = 111.
        sgemm(101, 111, 111, m, n, k, 1f, a, k, b, n, 0f, c, n);
    }

    /// <summary>
    /// Sets a variable in the native environment of this process only (OpenBLAS reads getenv when it loads, not
    /// .NET's copy): the performance table picks OpenBLAS's core type for itself, never for tests.
    /// </summary>
    public static bool SetNativeEnv(string name, string value) => setenv(name, value, 1) == 0;

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
