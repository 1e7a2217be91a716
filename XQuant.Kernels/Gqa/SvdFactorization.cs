using System.Security.Cryptography;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace XQuant.Kernels.Gqa;

/// <summary>
/// Offline thin SVD of a d x n projection (Wk, Wv or [Wk | Wv]), W = U S B^T with U d x n and the fused
/// S B^T (n x n), so that X W = (X U)(S B^T) exactly (rank(W) &lt;= n). Computed as W = Q R (thin QR), then
/// the n x n SVD R = Ur S B^T and U = Q Ur: MathNet's full SVD would build a d x d U. Results are cached on
/// disk under a SHA-256 of the shape and the weights' bytes, since a 4096 x 1024 factorization takes seconds.
/// </summary>
public sealed class SvdFactorization
{
    private SvdFactorization(int d, int n, float[] u, float[] fused, float[] singularValues)
    {
        InputDim = d;
        Rank = n;
        Basis = u;
        Fused = fused;
        SingularValues = singularValues;
    }

    public int InputDim { get; }

    public int Rank { get; }

    /// <summary>d x n, orthonormal columns, row-major: latents are X U.</summary>
    public float[] Basis { get; }

    /// <summary>S B^T, n x n row-major: rematerialization is latent x Fused.</summary>
    public float[] Fused { get; }

    /// <summary>Descending; the first latent channel carries the largest, which is where outliers gather.</summary>
    public float[] SingularValues { get; }

    /// <summary>Factorizes (or loads from <paramref name="cacheFolder"/>, when given) a d x n row-major W, d &gt;= n.</summary>
    public static SvdFactorization Compute(float[] w, int d, int n, string? cacheFolder = ".svd-cache")
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.Length != (long)d * n || d < n)
        {
            throw new ArgumentException($"W must be d x n with d >= n (got {w.Length} elements for {d} x {n})", nameof(w));
        }
        string? path = cacheFolder is null ? null : Path.Combine(cacheFolder, $"{Key(w, d, n)}.bin");
        if (path is not null && File.Exists(path))
        {
            var cached = Load(path, d, n);
            if (cached is not null)
            {
                return cached;
            }
        }
        var m = Matrix<double>.Build.Dense(d, n, (i, j) => w[(i * n) + j]);
        var qr = m.QR(QRMethod.Thin);
        var svd = qr.R.Svd(computeVectors: true);
        var u = qr.Q * svd.U;
        var fused = Matrix<double>.Build.DiagonalOfDiagonalVector(svd.S) * svd.VT;
        var result = new SvdFactorization(d, n, ToRowMajor(u), ToRowMajor(fused), svd.S.Select(s => (float)s).ToArray());
        if (path is not null)
        {
            Save(path, result);
        }
        return result;
    }

    private static float[] ToRowMajor(Matrix<double> m)
    {
        var a = new float[m.RowCount * m.ColumnCount];
        for (int i = 0; i < m.RowCount; i++)
        {
            for (int j = 0; j < m.ColumnCount; j++)
            {
                a[(i * m.ColumnCount) + j] = (float)m[i, j];
            }
        }
        return a;
    }

    private static string Key(float[] w, int d, int n)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(d));
        sha.AppendData(BitConverter.GetBytes(n));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void Save(string path, SvdFactorization f)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temp)))
        {
            writer.Write(f.InputDim);
            writer.Write(f.Rank);
            foreach (var array in new[] { f.Basis, f.Fused, f.SingularValues })
            {
                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan()));
            }
        }
        // Rename last so a crash never leaves a half-written cache entry.
        File.Move(temp, path, overwrite: true);
    }

    private static SvdFactorization? Load(string path, int d, int n)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadInt32() != d || reader.ReadInt32() != n)
        {
            return null;
        }
        float[] Read(int count)
        {
            var a = new float[count];
            reader.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
            return a;
        }
        var u = Read(d * n);
        var fused = Read(n * n);
        var s = Read(n);
        return new SvdFactorization(d, n, u, fused, s);
    }
}
