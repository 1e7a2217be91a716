using ILGPU;
using ILGPU.Runtime;
using XQuant.Kernels.Attention;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// Loads the <see cref="TiledKernels"/> once on an accelerator it does not own (a <see cref="KernelRunner"/>'s) and
/// launches them. The Launch methods work on device views with no copies and no synchronization: the host-array
/// methods (tests, the kernel suite) and the timed device cases both go through them, so what is timed on a GPU is
/// exactly what the emulator tests check.
/// </summary>
public sealed class TiledRunner
{
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<byte>, ArrayView<ushort>, ArrayView<ushort>, QuantLayout, TiledGemmDims, ArrayView<float>> gemm;
    private readonly Action<Index1D, ArrayView<float>, int, int, ArrayView<float>> sumSplits;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, AttentionDims, ArrayView<float>, ArrayView<float>, ArrayView<float>> scores;
    private readonly Action<KernelConfig, ArrayView<float>, int> softmax;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, AttentionDims, int, int, ArrayView<float>> absorbedOutput;
    private readonly Action<KernelConfig, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>> perTokenTeams;
    private readonly Action<KernelConfig, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>> perChannelTiles;
    private readonly Action<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>> statsPerToken;
    private readonly Action<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>> statsPerChannel;
    private readonly Action<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>> packUnits;

    public TiledRunner(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<byte>, ArrayView<ushort>, ArrayView<ushort>, QuantLayout, TiledGemmDims, ArrayView<float>>(TiledKernels.DequantGemm);
        sumSplits = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, ArrayView<float>>(TiledKernels.SumSplits);
        scores = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, AttentionDims, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TiledKernels.Scores);
        softmax = accelerator.LoadStreamKernel<ArrayView<float>, int>(TiledKernels.SoftmaxRows);
        absorbedOutput = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, AttentionDims, int, int, ArrayView<float>>(TiledKernels.AbsorbedOutput);
        perTokenTeams = accelerator.LoadStreamKernel<ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>>(TiledKernels.QuantizePerTokenTeams);
        perChannelTiles = accelerator.LoadStreamKernel<ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>>(TiledKernels.QuantizePerChannelTiles);
        statsPerToken = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>>(TiledKernels.StatsPerToken);
        statsPerChannel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>>(TiledKernels.StatsPerChannel);
        packUnits = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, QuantLayout, ArrayView<ushort>, ArrayView<ushort>, ArrayView<byte>>(TiledKernels.PackUnits);
        int side = 16;
        while (side > 1 && side * side > accelerator.MaxNumThreadsPerGroup)
        {
            side /= 2;
        }
        GemmSide = side;
        int threads = TiledKernels.GroupThreads;
        while (threads > TiledKernels.TeamLanes && threads > accelerator.MaxNumThreadsPerGroup)
        {
            threads /= 2;
        }
        GroupThreads = threads;
    }

    public Accelerator Accelerator { get; }

    /// <summary>Threads per side of a GEMM group: 16 (256 threads, a 64 x 64 output tile) where the device allows it.</summary>
    public int GemmSide { get; }

    /// <summary>Threads of a quantize or softmax group: 256 where the device allows it (a power of two, at least 8).</summary>
    public int GroupThreads { get; }

    /// <summary>Most elements one matrix may have: kernels index with int, and grid-stride tails add a little.</summary>
    public const long MaxElements = int.MaxValue / 2;

    /// <summary>Which quantize path a spec takes: the one-pass team/tile kernels, or stats + pack (two passes over X).</summary>
    public static bool OnePass(QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Axis == QuantAxis.PerToken
            ? spec.GroupSize % TiledKernels.UnitCodes == 0
            : spec.GroupSize <= TiledKernels.ChannelTileRows;
    }

    // --- Launches on device views. ---

    /// <summary>Quantizes x (l.Rows x l.Width) into scales, zeros (group count long) and packed (rows x RowBytes).</summary>
    public void LaunchQuantize(ArrayView<float> x, QuantLayout l, QuantSpec spec, ArrayView<ushort> scales, ArrayView<ushort> zeros, ArrayView<byte> packed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (l.Rows == 0 || l.Width == 0)
        {
            return;
        }
        if ((long)l.Rows * l.Width > MaxElements)
        {
            throw new ArgumentException($"{l.Rows} x {l.Width} elements exceed the kernels' 32-bit indices ({MaxElements})");
        }
        int groups = spec.GroupCount(l.Rows, l.Width);
        if (spec.Axis == QuantAxis.PerToken && OnePass(spec))
        {
            int teams = GroupThreads / TiledKernels.TeamLanes;
            perTokenTeams(new KernelConfig((groups + teams - 1) / teams, GroupThreads), x, l, scales, zeros, packed);
        }
        else if (OnePass(spec))
        {
            var grid = new Index2D((l.Width + TiledKernels.ChannelTileCols - 1) / TiledKernels.ChannelTileCols, (l.Rows + l.GroupSize - 1) / l.GroupSize);
            perChannelTiles(new KernelConfig(grid, new Index2D(GroupThreads, 1)), x, l, scales, zeros, packed);
        }
        else
        {
            if (spec.Axis == QuantAxis.PerToken)
            {
                statsPerToken(groups, x, l, scales, zeros);
            }
            else
            {
                statsPerChannel(groups, x, l, scales, zeros);
            }
            packUnits(l.Rows * ((l.Width + TiledKernels.UnitCodes - 1) / TiledKernels.UnitCodes), x, l, scales, zeros, packed);
        }
    }

    /// <summary>Floats of split-K scratch a GEMM of these dims needs (0 when it is not split).</summary>
    public static long SplitScratch(TiledGemmDims g) => g.Splits > 1 ? (long)g.Splits * g.Rows * g.Columns : 0;

    /// <summary>
    /// C = A B with one operand quantized (<paramref name="l"/> describes it). With g.Splits &gt; 1 the partial
    /// products go to <paramref name="scratch"/> (<see cref="SplitScratch"/> floats) and are summed into c.
    /// </summary>
    public void LaunchGemm(ArrayView<float> dense, ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, TiledGemmDims g, ArrayView<float> c, ArrayView<float> scratch)
    {
        if ((long)g.Rows * g.Columns == 0)
        {
            return;
        }
        if ((long)Math.Max(g.Rows, g.Depth) * Math.Max(g.Depth, g.Columns) > int.MaxValue || (long)g.Splits * g.Rows * g.Columns > int.MaxValue)
        {
            throw new ArgumentException($"GEMM {g.Rows}x{g.Depth}x{g.Columns} (splits {g.Splits}): indices beyond int");
        }
        int sideY = RowSide(g.Rows);
        int tileCols = TiledKernels.PerThread * GemmSide, tileRows = TiledKernels.PerThread * sideY;
        var grid = new Index2D(((g.Columns + tileCols - 1) / tileCols) * g.Splits, (g.Rows + tileRows - 1) / tileRows);
        var config = new KernelConfig(grid, new Index2D(GemmSide, sideY));
        if (g.Splits == 1)
        {
            gemm(config, dense, packed, scales, zeros, l, g, c);
            return;
        }
        if (scratch.Length < SplitScratch(g))
        {
            throw new ArgumentException($"split-K scratch holds {scratch.Length} floats; {SplitScratch(g)} needed", nameof(scratch));
        }
        gemm(config, dense, packed, scales, zeros, l, g, scratch);
        sumSplits(g.Rows * g.Columns, scratch, g.Splits, g.Rows * g.Columns, c);
    }

    /// <summary>
    /// V-absorbed decode attention: K = deQ(X) Wk (tiled), scores with RoPE, softmax per head, Y = p deQ(X) (tiled,
    /// split over tokens), out = Y Wv per head. Scratch: Keys (tokens x KvDim), Weights p (heads x tokens), WeightedX Y (heads x d),
    /// GemmScratch (both GEMMs' split-K partials), OutputPartials (d chunks x heads x HeadDim).
    /// </summary>
    public void LaunchVAbsorbed(AbsorbedBuffers b, QuantLayout l, AttentionDims a, int heads)
    {
        ArgumentNullException.ThrowIfNull(b);
        var kDims = KDims(l, a);
        LaunchGemm(b.Wk, b.Packed, b.Scales, b.Zeros, l, kDims, b.Keys, b.GemmScratch);
        scores(new Index2D(a.Tokens, heads), b.Query, b.Keys, a, b.Cos, b.Sin, b.Weights);
        softmax(new KernelConfig(heads, GroupThreads), b.Weights, a.Tokens);
        LaunchGemm(b.Weights, b.Packed, b.Scales, b.Zeros, l, YDims(l, heads), b.WeightedX, b.GemmScratch);
        int chunks = OutputChunks(l.Width);
        absorbedOutput(new Index2D(a.HeadDim, heads * chunks), b.WeightedX, b.Wv, a, l.Width, heads, b.OutputPartials);
        sumSplits(heads * a.HeadDim, b.OutputPartials, chunks, heads * a.HeadDim, b.Output);
    }

    /// <summary>Chunks of d the V-absorbed output kernel splits its sums into.</summary>
    public static int OutputChunks(int width) => Math.Max(1, (width + TiledKernels.OutputChunk - 1) / TiledKernels.OutputChunk);

    /// <summary>The K remat GEMM of V-absorption: tokens x d times d x KvDim, split over d only when the grid is small.</summary>
    public TiledGemmDims KDims(QuantLayout l, AttentionDims a) => new(l.Rows, l.Width, a.KvDim, quantizedA: true, Splits(l.Rows, a.KvDim, l.Width));

    /// <summary>The p X^ GEMM: heads x tokens times tokens x d, split over tokens (few row tiles: heads is small).</summary>
    public TiledGemmDims YDims(QuantLayout l, int heads) => new(heads, l.Rows, l.Width, quantizedA: false, Splits(heads, l.Width, l.Rows));

    /// <summary>
    /// Threads along the row side of a GEMM group: <see cref="GemmSide"/>, halved while half as many rows still cover
    /// M, so a short GEMM (p deQ(X) over 32 heads: 32-row tiles) does not compute rows of padding.
    /// </summary>
    public int RowSide(int rows)
    {
        int side = GemmSide;
        while (side > 1 && TiledKernels.PerThread * (side / 2) >= rows)
        {
            side /= 2;
        }
        return side;
    }

    /// <summary>
    /// Splits K until the grid has about 4 groups per multiprocessor (so a short, wide GEMM still fills the device),
    /// keeping at least 4 K steps per split. 1 on the emulator's shapes when the tile grid is already large enough.
    /// </summary>
    public int Splits(int m, int n, int k)
    {
        int tileCols = TiledKernels.PerThread * GemmSide, tileRows = TiledKernels.PerThread * RowSide(m);
        long tiles = (long)((m + tileRows - 1) / tileRows) * ((n + tileCols - 1) / tileCols);
        long want = 4L * Math.Max(1, Accelerator.NumMultiprocessors);
        int splits = 1;
        while (tiles * splits < want && (long)k / (2L * splits) >= 4L * TiledKernels.TileK)
        {
            splits *= 2;
        }
        return splits;
    }

    // --- Host-array forms: copy in, launch, synchronize, copy out (tests and the kernel suite). ---

    public QuantizedMatrix Quantize(float[] x, int rows, int width, QuantSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        InputCheck.Finite(x, rows, width);
        var q = QuantizedMatrix.Allocate(rows, width, spec);
        var l = new QuantLayout(rows, width, spec);
        using var dx = Accelerator.Allocate1D(x.Length == 0 ? new float[1] : x);
        using var ds = Accelerator.Allocate1D<ushort>(Math.Max(1, q.Scales.Length));
        using var dz = Accelerator.Allocate1D<ushort>(Math.Max(1, q.Zeros.Length));
        using var dp = Accelerator.Allocate1D<byte>(Math.Max(1, q.Packed.Length));
        dp.MemSetToZero();
        LaunchQuantize(dx.View, l, spec, ds.View, dz.View, dp.View);
        Accelerator.Synchronize();
        var s = ds.GetAsArray1D();
        var z = dz.GetAsArray1D();
        dp.View.SubView(0, q.Packed.Length).CopyToCPU(q.Packed);
        for (int i = 0; i < q.Scales.Length; i++)
        {
            q.Scales[i] = BitConverter.UInt16BitsToHalf(s[i]);
            q.Zeros[i] = BitConverter.UInt16BitsToHalf(z[i]);
        }
        return q;
    }

    /// <summary>deQ(Xq) W, W width x n row-major (the remat GEMM; <paramref name="splits"/> 0 = chosen for the device).</summary>
    public float[] Remat(QuantizedMatrix xq, float[] w, int n, int splits = 0)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(w);
        var l = new QuantLayout(xq.Rows, xq.Width, xq.Spec);
        var g = new TiledGemmDims(xq.Rows, xq.Width, n, quantizedA: true, splits > 0 ? splits : Splits(xq.Rows, n, xq.Width));
        using var q = DeviceQuantized.Upload(Accelerator, xq);
        using var dw = Accelerator.Allocate1D(w.Length == 0 ? new float[1] : w);
        using var dc = Accelerator.Allocate1D<float>(Math.Max(1L, (long)xq.Rows * n));
        using var scratch = Accelerator.Allocate1D<float>(Math.Max(1L, SplitScratch(g)));
        LaunchGemm(dw.View, q.Packed.View, q.Scales.View, q.Zeros.View, l, g, dc.View, scratch.View);
        Accelerator.Synchronize();
        var c = new float[(long)xq.Rows * n];
        dc.View.SubView(0, c.Length).CopyToCPU(c);
        return c;
    }

    /// <summary>p deQ(Xq), p heads x tokens: the second GEMM of V-absorption on its own (<paramref name="splits"/> 0 = auto).</summary>
    public float[] WeightedRows(float[] p, int heads, QuantizedMatrix xq, int splits = 0)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(xq);
        var l = new QuantLayout(xq.Rows, xq.Width, xq.Spec);
        var g = new TiledGemmDims(heads, xq.Rows, xq.Width, quantizedA: false, splits > 0 ? splits : Splits(heads, xq.Width, xq.Rows));
        using var q = DeviceQuantized.Upload(Accelerator, xq);
        using var dp = Accelerator.Allocate1D(p.Length == 0 ? new float[1] : p);
        using var dy = Accelerator.Allocate1D<float>(Math.Max(1L, (long)heads * xq.Width));
        using var scratch = Accelerator.Allocate1D<float>(Math.Max(1L, SplitScratch(g)));
        LaunchGemm(dp.View, q.Packed.View, q.Scales.View, q.Zeros.View, l, g, dy.View, scratch.View);
        Accelerator.Synchronize();
        var y = new float[(long)heads * xq.Width];
        dy.View.SubView(0, y.Length).CopyToCPU(y);
        return y;
    }

    /// <summary>V-absorbed decode attention (twin: <see cref="Reference.ScalarReference.AttentionVAbsorbed"/>).</summary>
    public float[] AttentionVAbsorbed(float[] q, QuantizedMatrix xq, float[] wk, float[] wv, AttentionShape shape, RopeTable rope)
    {
        ArgumentNullException.ThrowIfNull(xq);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rope);
        using var b = AbsorbedBuffers.Allocate(this, xq, shape);
        b.Query.CopyFromCPU(q);
        b.Wk.CopyFromCPU(wk);
        b.Wv.CopyFromCPU(wv);
        b.Cos.SubView(0, rope.Cos.Length).CopyFromCPU(rope.Cos);
        b.Sin.SubView(0, rope.Sin.Length).CopyFromCPU(rope.Sin);
        LaunchVAbsorbed(b, new QuantLayout(xq.Rows, xq.Width, xq.Spec), Dims(xq.Rows, shape), shape.Heads);
        Accelerator.Synchronize();
        var output = new float[shape.QueryDim];
        b.Output.SubView(0, output.Length).CopyToCPU(output);
        return output;
    }

    /// <summary>The attention sizes of a shape over <paramref name="tokens"/> cached tokens.</summary>
    public static AttentionDims Dims(int tokens, AttentionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new AttentionDims(tokens, shape.QueryHeadsPerKvHead, shape.HeadDim, shape.KvDim, shape.ScoreScale);
    }
}
