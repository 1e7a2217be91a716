using ILGPU;
using ILGPU.Algorithms;
using XQuant.Kernels.Quantization;

namespace XQuant.Kernels.Ilgpu.Tiled;

/// <summary>
/// ILGPU kernels shaped for a GPU: explicitly grouped, staging through shared memory, each thread keeping a 4 x 4
/// block of outputs in registers, and reading global memory so that the threads of a warp touch adjacent addresses.
/// The same source runs on CUDA and on ILGPU's CPU accelerator (the emulator the tests use). Quantization goes through
/// <see cref="QuantMath"/> and <see cref="HalfBits"/> like every other implementation, so codes, scales and zeros are
/// bit-identical to <see cref="Reference.ScalarReference.Quantize"/>; min and max fold with
/// <see cref="MinOrdered"/>/<see cref="MaxOrdered"/>, which do not depend on the order the threads combine in.
/// </summary>
public static class TiledKernels
{
    /// <summary>Depth of one K step: rows of B (columns of A) staged per step.</summary>
    public const int TileK = 16;

    /// <summary>Largest side of an output tile: 16 x 16 threads, 4 x 4 outputs each.</summary>
    public const int MaxTile = 64;

    /// <summary>Outputs per thread along each axis.</summary>
    public const int PerThread = 4;

    /// <summary>Threads of a quantize group (and of the softmax group).</summary>
    public const int GroupThreads = 256;

    /// <summary>Lanes that share one per-token quantization group; 32 teams per group of 256 threads.</summary>
    public const int TeamLanes = 8;

    /// <summary>Codes packed by one thread: 8 codes are exactly <c>bits</c> bytes for 2, 3, 4 and 8 bits.</summary>
    public const int UnitCodes = 8;

    /// <summary>Token rows of a per-channel tile: the staged path takes groups of up to this many tokens.</summary>
    public const int ChannelTileRows = 128;

    /// <summary>Columns of d one thread of the V-absorbed output sums (d is split into chunks of this many).</summary>
    public const int OutputChunk = 64;

    /// <summary>Columns of a per-channel tile (8 packing units).</summary>
    public const int ChannelTileCols = 64;

    // A is stored transposed ([kk][row]) with one float of padding, so the 16 threads storing one row's 16 k values
    // hit 16 different banks.
    private const int AStride = MaxTile + 1;

    private const int TeamsPerGroup = GroupThreads / TeamLanes;

    /// <summary>Math.Min for finite floats, in any order: equal values of opposite sign give -0.</summary>
    public static float MinOrdered(float a, float b) =>
        a < b ? a : b < a ? b : Interop.IntAsFloat(Interop.FloatAsInt(a) | Interop.FloatAsInt(b));

    /// <summary>Math.Max for finite floats, in any order: equal values of opposite sign give +0.</summary>
    public static float MaxOrdered(float a, float b) =>
        a > b ? a : b > a ? b : Interop.IntAsFloat(Interop.FloatAsInt(a) & Interop.FloatAsInt(b));

    // ---------------------------------------------------------------------------------------------------------
    // Fused dequantize + GEMM.

    /// <summary>
    /// C = A B with one operand quantized (see <see cref="TiledGemmDims"/>): a group of DimX x DimY threads (at most
    /// 16 x 16) owns a (4 DimY) x (4 DimX) tile of C and one K slice. Per 16-deep step it dequantizes its slice of
    /// the quantized operand once into shared memory (per-token groups: each row's FP16 scale and zero decoded once
    /// per step, then only codes per element) (every element of the tile is decoded once per group, then read
    /// by all 4 DimX or 4 DimY outputs that use it), stages the dense operand beside it, and each thread accumulates
    /// its 4 x 4 outputs in registers. Thread (tx, ty) owns rows ty + r DimY and columns tx + c DimX, so adjacent
    /// threads read adjacent B columns (no bank conflicts) and store adjacent C columns (coalesced). Out-of-range
    /// elements are staged as zeros: any M, K, N works. Grid: (column tiles x splits, row tiles).
    /// </summary>
    public static void DequantGemm(ArrayView<float> dense, ArrayView<byte> packed, ArrayView<ushort> scales, ArrayView<ushort> zeros, QuantLayout l, TiledGemmDims g, ArrayView<float> c)
    {
        var aTile = SharedMemory.Allocate<float>(TileK * AStride);
        var bTile = SharedMemory.Allocate<float>(TileK * MaxTile);
        var rowScale = SharedMemory.Allocate<float>(MaxTile);
        var rowZero = SharedMemory.Allocate<float>(MaxTile);
        int tx = Group.IdxX, ty = Group.IdxY, dx = Group.DimX, dy = Group.DimY;
        int tileRows = PerThread * dy, tileCols = PerThread * dx;
        int columnTiles = (g.Columns + tileCols - 1) / tileCols;
        int split = Grid.IdxX / columnTiles;
        int row0 = Grid.IdxY * tileRows, col0 = (Grid.IdxX % columnTiles) * tileCols;
        int kBegin = split * g.KPerSplit;
        int kEnd = IntrinsicMath.Min(g.Depth, kBegin + g.KPerSplit);
        int tid = (ty * dx) + tx, threads = dx * dy;
        // Per-token groups that a whole tile row lies in (G a multiple of the 16-deep step for A, of the tile width for
        // B): each quantized row of the step has one scale and zero, decoded once into shared memory, and elements
        // need only their code. Otherwise every element looks up its own group.
        bool rowGroups = l.PerToken != 0 && (g.QuantizedA != 0 ? l.GroupSize % TileK == 0 : l.GroupSize % tileCols == 0);
        int quantRows = g.QuantizedA != 0 ? tileRows : TileK;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            if (rowGroups)
            {
                for (int e = tid; e < quantRows; e += threads)
                {
                    int qr = g.QuantizedA != 0 ? row0 + e : k0 + e;
                    if (qr < l.Rows)
                    {
                        int gi = (qr * l.GroupsPerRow) + ((g.QuantizedA != 0 ? k0 : col0) / l.GroupSize);
                        rowScale[e] = HalfBits.ToFloat(scales[gi]);
                        rowZero[e] = HalfBits.ToFloat(zeros[gi]);
                    }
                }
                Group.Barrier();
            }
            // Adjacent threads take adjacent k of one A row: one row's 16 codes sit in 4-16 adjacent bytes.
            for (int e = tid; e < tileRows * TileK; e += threads)
            {
                int r = e / TileK, kk = e % TileK;
                int gr = row0 + r, gk = k0 + kk;
                float v = 0f;
                if (gr < g.Rows && gk < kEnd)
                {
                    if (g.QuantizedA == 0)
                    {
                        v = dense[(gr * g.Depth) + gk];
                    }
                    else if (rowGroups)
                    {
                        v = QuantMath.Dequantize(CodeAt(packed, l, gr, gk), rowScale[r], rowZero[r]);
                    }
                    else
                    {
                        v = IlgpuKernels.DequantAt(packed, scales, zeros, l, gr, gk);
                    }
                }
                aTile[(kk * AStride) + r] = v;
            }
            // Adjacent threads take adjacent columns of one B row.
            for (int e = tid; e < TileK * tileCols; e += threads)
            {
                int kk = e / tileCols, col = e % tileCols;
                int gk = k0 + kk, gc = col0 + col;
                float v = 0f;
                if (gk < kEnd && gc < g.Columns)
                {
                    if (g.QuantizedA != 0)
                    {
                        v = dense[(gk * g.Columns) + gc];
                    }
                    else if (rowGroups)
                    {
                        v = QuantMath.Dequantize(CodeAt(packed, l, gk, gc), rowScale[kk], rowZero[kk]);
                    }
                    else
                    {
                        v = IlgpuKernels.DequantAt(packed, scales, zeros, l, gk, gc);
                    }
                }
                bTile[(kk * MaxTile) + col] = v;
            }
            Group.Barrier();
            for (int kk = 0; kk < TileK; kk++)
            {
                int ab = (kk * AStride) + ty, bb = (kk * MaxTile) + tx;
                float a0 = aTile[ab], a1 = aTile[ab + dy], a2 = aTile[ab + (2 * dy)], a3 = aTile[ab + (3 * dy)];
                float b0 = bTile[bb], b1 = bTile[bb + dx], b2 = bTile[bb + (2 * dx)], b3 = bTile[bb + (3 * dx)];
                c00 += a0 * b0;
                c01 += a0 * b1;
                c02 += a0 * b2;
                c03 += a0 * b3;
                c10 += a1 * b0;
                c11 += a1 * b1;
                c12 += a1 * b2;
                c13 += a1 * b3;
                c20 += a2 * b0;
                c21 += a2 * b1;
                c22 += a2 * b2;
                c23 += a2 * b3;
                c30 += a3 * b0;
                c31 += a3 * b1;
                c32 += a3 * b2;
                c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int baseOffset = split * g.Rows * g.Columns;
        int row = row0 + ty, col0t = col0 + tx;
        StoreRow(c, baseOffset, g.Rows, g.Columns, row, col0t, dx, c00, c01, c02, c03);
        StoreRow(c, baseOffset, g.Rows, g.Columns, row + dy, col0t, dx, c10, c11, c12, c13);
        StoreRow(c, baseOffset, g.Rows, g.Columns, row + (2 * dy), col0t, dx, c20, c21, c22, c23);
        StoreRow(c, baseOffset, g.Rows, g.Columns, row + (3 * dy), col0t, dx, c30, c31, c32, c33);
    }

    /// <summary>The code of element (row, col) from the packed bit stream (same bits as <see cref="IlgpuKernels.DequantAt"/> reads).</summary>
    private static int CodeAt(ArrayView<byte> packed, QuantLayout l, int row, int col)
    {
        int bit = col * l.Bits;
        int b = (row * l.RowBytes) + (bit >> 3);
        int shift = bit & 7;
        int word = packed[b];
        if (shift + l.Bits > 8)
        {
            word |= packed[b + 1] << 8;
        }
        return (word >> shift) & l.MaxCode;
    }

    private static void StoreRow(ArrayView<float> c, int baseOffset, int m, int n, int row, int col, int dx, float v0, float v1, float v2, float v3)
    {
        if (row >= m)
        {
            return;
        }
        int rb = baseOffset + (row * n);
        if (col < n)
        {
            c[rb + col] = v0;
        }
        if (col + dx < n)
        {
            c[rb + col + dx] = v1;
        }
        if (col + (2 * dx) < n)
        {
            c[rb + col + (2 * dx)] = v2;
        }
        if (col + (3 * dx) < n)
        {
            c[rb + col + (3 * dx)] = v3;
        }
    }

    /// <summary>y[i] = sum over s of partials[s count + i], s = 0, 1, ... in order (split-K partials of a GEMM).</summary>
    public static void SumSplits(Index1D i, ArrayView<float> partials, int splits, int count, ArrayView<float> y)
    {
        float s = partials[i];
        for (int k = 1; k < splits; k++)
        {
            s += partials[(k * count) + i];
        }
        y[i] = s;
    }

    // ---------------------------------------------------------------------------------------------------------
    // V-absorbed attention: K = deQ(X) Wk (DequantGemm), scores, softmax, Y = p deQ(X) (DequantGemm), out = Y Wv.

    /// <summary>
    /// scores[h, t] = ScoreScale x q_h . RoPE_t(K[t, kv head of h]), thread (t, h): neighbouring threads take
    /// neighbouring tokens. k: tokens x KvDim pre-RoPE keys; cos/sin: the rope table (tokens x HeadDim / 2).
    /// </summary>
    public static void Scores(Index2D index, ArrayView<float> q, ArrayView<float> k, AttentionDims a, ArrayView<float> cos, ArrayView<float> sin, ArrayView<float> scores)
    {
        int t = index.X, h = index.Y;
        int kb = (t * a.KvDim) + ((h / a.Group) * a.HeadDim);
        int qb = h * a.HeadDim;
        int half = a.HeadDim / 2;
        float s = 0f;
        for (int i = 0; i < half; i++)
        {
            float cs = cos[(t * half) + i], sn = sin[(t * half) + i];
            float x1 = k[kb + i], x2 = k[kb + half + i];
            s += q[qb + i] * ((x1 * cs) - (x2 * sn));
            s += q[qb + half + i] * ((x2 * cs) + (x1 * sn));
        }
        scores[(h * a.Tokens) + t] = s * a.ScoreScale;
    }

    /// <summary>
    /// Softmax of each row of scores (heads x tokens) in place, one group of <see cref="GroupThreads"/> threads per
    /// row: strided max and sum, each reduced through shared memory in a fixed tree order.
    /// </summary>
    public static void SoftmaxRows(ArrayView<float> scores, int tokens)
    {
        var red = SharedMemory.Allocate<float>(GroupThreads);
        int tid = Group.IdxX, threads = Group.DimX;
        int rb = Grid.IdxX * tokens;
        float max = float.NegativeInfinity;
        for (int t = tid; t < tokens; t += threads)
        {
            max = IntrinsicMath.Max(max, scores[rb + t]);
        }
        red[tid] = max;
        Group.Barrier();
        for (int s = threads / 2; s > 0; s /= 2)
        {
            if (tid < s)
            {
                red[tid] = IntrinsicMath.Max(red[tid], red[tid + s]);
            }
            Group.Barrier();
        }
        max = red[0];
        Group.Barrier();
        float sum = 0f;
        for (int t = tid; t < tokens; t += threads)
        {
            float e = XMath.Exp(scores[rb + t] - max);
            scores[rb + t] = e;
            sum += e;
        }
        red[tid] = sum;
        Group.Barrier();
        for (int s = threads / 2; s > 0; s /= 2)
        {
            if (tid < s)
            {
                red[tid] += red[tid + s];
            }
            Group.Barrier();
        }
        float total = red[0];
        for (int t = tid; t < tokens; t += threads)
        {
            scores[rb + t] /= total;
        }
    }

    /// <summary>
    /// Partial outputs: partials[s, h, i] = sum over c in chunk s (<see cref="OutputChunk"/> columns of d) of
    /// y[h, c] Wv[c, kv head of h x HeadDim + i]; thread (i, h x chunks + s). Neighbouring threads read neighbouring
    /// columns of a Wv row; splitting d keeps enough threads in flight to hide load latency (one thread per output
    /// would leave 128 warps on the whole GPU, each walking d dependent loads). Summed by <see cref="SumSplits"/>.
    /// </summary>
    public static void AbsorbedOutput(Index2D index, ArrayView<float> y, ArrayView<float> wv, AttentionDims a, int width, int heads, ArrayView<float> partials)
    {
        int i = index.X;
        int chunks = (width + OutputChunk - 1) / OutputChunk;
        int h = index.Y / chunks, s = index.Y % chunks;
        int col = ((h / a.Group) * a.HeadDim) + i;
        int c1 = IntrinsicMath.Min(width, (s + 1) * OutputChunk);
        float o = 0f;
        for (int c = s * OutputChunk; c < c1; c++)
        {
            o += y[(h * width) + c] * wv[(c * a.KvDim) + col];
        }
        partials[(((s * heads) + h) * a.HeadDim) + i] = o;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Quantization with coalesced loads.

    /// <summary>
    /// Per-token quantization in one pass over X, for G a multiple of 8: a team of <see cref="TeamLanes"/> lanes owns
    /// one group (row, column block). The lanes read the group 32 floats at a time (one 16-byte load each where the
    /// row is 4-aligned), fold min and max, combine through shared memory; lane 0 stores the FP16 scale and zero; then
    /// the lanes code and pack 8-code units (bits bytes each) of the same group, which the first pass just brought
    /// into cache. Grid: ceil(groups / teams) groups of 8 x teams threads (teams &lt;= 32; 32 on a GPU).
    /// </summary>
    public static void QuantizePerTokenTeams(ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros, ArrayView<byte> packed)
    {
        var smin = SharedMemory.Allocate<float>(GroupThreads);
        var smax = SharedMemory.Allocate<float>(GroupThreads);
        var sscale = SharedMemory.Allocate<float>(TeamsPerGroup);
        var szero = SharedMemory.Allocate<float>(TeamsPerGroup);
        int tid = Group.IdxX;
        int lane = tid % TeamLanes, member = tid / TeamLanes;
        int team = (Grid.IdxX * (Group.DimX / TeamLanes)) + member;
        bool active = team < l.Rows * l.GroupsPerRow;
        int row = active ? team / l.GroupsPerRow : 0;
        int c0 = active ? (team % l.GroupsPerRow) * l.GroupSize : 0;
        int c1 = active ? IntrinsicMath.Min(l.Width, c0 + l.GroupSize) : 0;
        int rowBase = row * l.Width;
        float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
        if (l.Width % 4 == 0)
        {
            var x4 = x.Cast<Float4>();
            for (int c = c0 + (4 * lane); c < c1; c += 4 * TeamLanes)
            {
                Float4 v = x4[(rowBase + c) / 4];
                mn = MinOrdered(MinOrdered(mn, v.V0), MinOrdered(v.V1, MinOrdered(v.V2, v.V3)));
                mx = MaxOrdered(MaxOrdered(mx, v.V0), MaxOrdered(v.V1, MaxOrdered(v.V2, v.V3)));
            }
        }
        else
        {
            for (int c = c0 + lane; c < c1; c += TeamLanes)
            {
                float v = x[rowBase + c];
                mn = MinOrdered(mn, v);
                mx = MaxOrdered(mx, v);
            }
        }
        smin[tid] = mn;
        smax[tid] = mx;
        Group.Barrier();
        if (lane == 0 && active)
        {
            for (int j = 1; j < TeamLanes; j++)
            {
                mn = MinOrdered(mn, smin[tid + j]);
                mx = MaxOrdered(mx, smax[tid + j]);
            }
            QuantMath.ScaleZero(mn, mx, l.MaxCode, out ushort sb, out ushort zb);
            scales[team] = sb;
            zeros[team] = zb;
            sscale[member] = HalfBits.ToFloat(sb);
            szero[member] = HalfBits.ToFloat(zb);
        }
        Group.Barrier();
        if (active)
        {
            float scale = sscale[member], zero = szero[member];
            for (int c = c0 + (UnitCodes * lane); c < c1; c += UnitCodes * TeamLanes)
            {
                PackUnit(x, l, row, c, IntrinsicMath.Min(UnitCodes, c1 - c), scale, zero, packed);
            }
        }
    }

    /// <summary>
    /// Per-channel quantization of one tile (up to <see cref="ChannelTileRows"/> tokens = one token group, x
    /// <see cref="ChannelTileCols"/> columns) per group of 256 threads, for G up to 128: the tile is staged into shared
    /// memory with row-contiguous loads (16 threads cover a 256-byte row segment, 16-byte loads where 4-aligned), four
    /// threads per column fold min/max, one stores the column's FP16 scale and zero, then the threads code and pack
    /// 8-code units from shared memory. X is read from DRAM once. Grid: (column tiles, token groups).
    /// </summary>
    public static void QuantizePerChannelTiles(ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros, ArrayView<byte> packed)
    {
        var tile = SharedMemory.Allocate<float>(ChannelTileRows * ChannelTileCols);
        var pmin = SharedMemory.Allocate<float>(GroupThreads);
        var pmax = SharedMemory.Allocate<float>(GroupThreads);
        var cscale = SharedMemory.Allocate<float>(ChannelTileCols);
        var czero = SharedMemory.Allocate<float>(ChannelTileCols);
        int tid = Group.IdxX, threads = Group.DimX;
        int c0 = Grid.IdxX * ChannelTileCols;
        int r0 = Grid.IdxY * l.GroupSize;
        int rows = IntrinsicMath.Min(l.Rows - r0, l.GroupSize);
        int cols = IntrinsicMath.Min(l.Width - c0, ChannelTileCols);
        const int Quads = ChannelTileCols / 4;
        if (l.Width % 4 == 0)
        {
            var x4 = x.Cast<Float4>();
            for (int e = tid; e < rows * Quads; e += threads)
            {
                int r = e / Quads, cq = 4 * (e % Quads);
                if (cq < cols)
                {
                    Float4 v = x4[(((r0 + r) * l.Width) + c0 + cq) / 4];
                    int tb = (r * ChannelTileCols) + cq;
                    tile[tb] = v.V0;
                    tile[tb + 1] = v.V1;
                    tile[tb + 2] = v.V2;
                    tile[tb + 3] = v.V3;
                }
            }
        }
        else
        {
            for (int e = tid; e < rows * ChannelTileCols; e += threads)
            {
                int r = e / ChannelTileCols, cc = e % ChannelTileCols;
                if (cc < cols)
                {
                    tile[(r * ChannelTileCols) + cc] = x[((r0 + r) * l.Width) + c0 + cc];
                }
            }
        }
        Group.Barrier();
        // Partial folds: column col, part p takes rows p, p + parts, ... (4 parts per column with 256 threads).
        int parts = IntrinsicMath.Max(1, threads / ChannelTileCols);
        for (int e = tid; e < ChannelTileCols * parts; e += threads)
        {
            int col = e % ChannelTileCols, part = e / ChannelTileCols;
            float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
            for (int r = part; r < rows && col < cols; r += parts)
            {
                float v = tile[(r * ChannelTileCols) + col];
                mn = MinOrdered(mn, v);
                mx = MaxOrdered(mx, v);
            }
            pmin[e] = mn;
            pmax[e] = mx;
        }
        Group.Barrier();
        for (int col = tid; col < cols; col += threads)
        {
            float mn = pmin[col], mx = pmax[col];
            for (int p = 1; p < parts; p++)
            {
                mn = MinOrdered(mn, pmin[(p * ChannelTileCols) + col]);
                mx = MaxOrdered(mx, pmax[(p * ChannelTileCols) + col]);
            }
            QuantMath.ScaleZero(mn, mx, l.MaxCode, out ushort sb, out ushort zb);
            int gi = (Grid.IdxY * l.Width) + c0 + col;
            scales[gi] = sb;
            zeros[gi] = zb;
            cscale[col] = HalfBits.ToFloat(sb);
            czero[col] = HalfBits.ToFloat(zb);
        }
        Group.Barrier();
        const int UnitsPerRow = ChannelTileCols / UnitCodes;
        for (int e = tid; e < rows * UnitsPerRow; e += threads)
        {
            int r = e / UnitsPerRow, u0 = UnitCodes * (e % UnitsPerRow);
            int n = IntrinsicMath.Min(UnitCodes, cols - u0);
            if (n > 0)
            {
                ulong acc = 0;
                for (int j = 0; j < n; j++)
                {
                    int code = QuantMath.Code(tile[(r * ChannelTileCols) + u0 + j], cscale[u0 + j], czero[u0 + j], l.MaxCode);
                    acc |= (ulong)(uint)code << (j * l.Bits);
                }
                WriteUnit(packed, ((r0 + r) * l.RowBytes) + (((c0 + u0) / UnitCodes) * l.Bits), acc, n, l.Bits);
            }
        }
    }

    /// <summary>Per-token stats for the general case (G not a multiple of 8): thread i = (row, group), ordered min/max.</summary>
    public static void StatsPerToken(Index1D i, ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros)
    {
        int row = i / l.GroupsPerRow;
        int c0 = (i % l.GroupsPerRow) * l.GroupSize;
        int c1 = IntrinsicMath.Min(l.Width, c0 + l.GroupSize);
        float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
        for (int c = c0; c < c1; c++)
        {
            float v = x[(row * l.Width) + c];
            mn = MinOrdered(mn, v);
            mx = MaxOrdered(mx, v);
        }
        QuantMath.ScaleZero(mn, mx, l.MaxCode, out ushort s, out ushort z);
        scales[i] = s;
        zeros[i] = z;
    }

    /// <summary>
    /// Per-channel stats for groups of more than <see cref="ChannelTileRows"/> tokens: thread i = (token group,
    /// column), neighbouring threads on neighbouring columns, so every row step of a warp reads 128 adjacent bytes.
    /// </summary>
    public static void StatsPerChannel(Index1D i, ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros)
    {
        int col = i % l.Width;
        int r0 = (i / l.Width) * l.GroupSize;
        int r1 = IntrinsicMath.Min(l.Rows, r0 + l.GroupSize);
        float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
        for (int r = r0; r < r1; r++)
        {
            float v = x[(r * l.Width) + col];
            mn = MinOrdered(mn, v);
            mx = MaxOrdered(mx, v);
        }
        QuantMath.ScaleZero(mn, mx, l.MaxCode, out ushort s, out ushort z);
        scales[i] = s;
        zeros[i] = z;
    }

    /// <summary>
    /// Codes and packing for the general case (any G, either axis), after the stats kernels: thread i packs unit
    /// (row, u), i = row x units per row + u, reading its 8 floats with two 16-byte loads where the row is 4-aligned.
    /// </summary>
    public static void PackUnits(Index1D i, ArrayView<float> x, QuantLayout l, ArrayView<ushort> scales, ArrayView<ushort> zeros, ArrayView<byte> packed)
    {
        int unitsPerRow = (l.Width + UnitCodes - 1) / UnitCodes;
        int row = i / unitsPerRow;
        int c = (i % unitsPerRow) * UnitCodes;
        int n = IntrinsicMath.Min(UnitCodes, l.Width - c);
        ulong acc = 0;
        for (int j = 0; j < n; j++)
        {
            int gi = l.GroupIndex(row, c + j);
            int code = QuantMath.Code(x[(row * l.Width) + c + j], HalfBits.ToFloat(scales[gi]), HalfBits.ToFloat(zeros[gi]), l.MaxCode);
            acc |= (ulong)(uint)code << (j * l.Bits);
        }
        WriteUnit(packed, (row * l.RowBytes) + ((c / UnitCodes) * l.Bits), acc, n, l.Bits);
    }

    /// <summary>Codes n (&lt;= 8) elements of a row from column c with one scale and zero; writes their bytes.</summary>
    private static void PackUnit(ArrayView<float> x, QuantLayout l, int row, int c, int n, float scale, float zero, ArrayView<byte> packed)
    {
        int xb = (row * l.Width) + c;
        ulong acc = 0;
        if (n == UnitCodes && l.Width % 4 == 0)
        {
            var x4 = x.Cast<Float4>();
            Float4 a = x4[xb / 4], b = x4[(xb / 4) + 1];
            acc = (ulong)(uint)QuantMath.Code(a.V0, scale, zero, l.MaxCode)
                | ((ulong)(uint)QuantMath.Code(a.V1, scale, zero, l.MaxCode) << l.Bits)
                | ((ulong)(uint)QuantMath.Code(a.V2, scale, zero, l.MaxCode) << (2 * l.Bits))
                | ((ulong)(uint)QuantMath.Code(a.V3, scale, zero, l.MaxCode) << (3 * l.Bits))
                | ((ulong)(uint)QuantMath.Code(b.V0, scale, zero, l.MaxCode) << (4 * l.Bits))
                | ((ulong)(uint)QuantMath.Code(b.V1, scale, zero, l.MaxCode) << (5 * l.Bits))
                | ((ulong)(uint)QuantMath.Code(b.V2, scale, zero, l.MaxCode) << (6 * l.Bits))
                | ((ulong)(uint)QuantMath.Code(b.V3, scale, zero, l.MaxCode) << (7 * l.Bits));
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                acc |= (ulong)(uint)QuantMath.Code(x[xb + j], scale, zero, l.MaxCode) << (j * l.Bits);
            }
        }
        WriteUnit(packed, (row * l.RowBytes) + ((c / UnitCodes) * l.Bits), acc, n, l.Bits);
    }

    /// <summary>Writes the ceil(n x bits / 8) bytes of a unit's bit stream (LSB first) from byte offset b.</summary>
    private static void WriteUnit(ArrayView<byte> packed, int b, ulong acc, int n, int bits)
    {
        int bytes = ((n * bits) + 7) / 8;
        for (int j = 0; j < bytes; j++)
        {
            packed[b + j] = (byte)(acc >> (8 * j));
        }
    }
}
