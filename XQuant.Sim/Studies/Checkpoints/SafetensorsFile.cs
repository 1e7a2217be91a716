using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed record TensorEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>The element count; the header check guarantees it fits a long (shapes like [2^62, 4] are refused on open).</summary>
    public long Elements => Shape.Aggregate(1L, (a, b) => checked(a * b));
}

/// <summary>
/// A .safetensors file: an 8-byte little-endian header length, a JSON header (name -&gt; dtype, shape, data_offsets),
/// then the tensor bytes. The header is validated in full on open (UTF-8, no duplicate or overlapping tensors, shapes
/// whose byte counts fit 64 bits; every problem is an <see cref="InputException"/> naming the file and what is wrong);
/// tensors are converted to float one chunk at a time through positional reads, never read whole into managed memory.
/// Not memory-mapped on purpose: a mapped file truncated by another process kills the process with SIGBUS, a read
/// just comes back short, which is reported as one line. Weights that are NaN or infinite are refused when read.
/// F32, F16 and BF16 are supported.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeader = 100L << 20;
    private const int ChunkBytes = 1 << 18;
    private readonly SafeFileHandle handle;
    private readonly long dataStart;

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart, Dictionary<string, TensorEntry> tensors)
    {
        Path = path;
        this.handle = handle;
        this.dataStart = dataStart;
        Tensors = tensors;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "", "safetensors file not found");
        }
        // A Hugging Face cache snapshot holds links to blobs: size (and map) the file the link names, not the link.
        InputFiles.Require(path, long.MaxValue);
        path = InputFiles.Resolve(path);
        long length = new FileInfo(path).Length;
        if (length < 8)
        {
            throw new InputException(path, "", $"truncated: {length} bytes, shorter than the 8-byte header length");
        }
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            Span<byte> len = stackalloc byte[8];
            ReadFully(handle, path, "", len, 0);
            long n = BitConverter.ToInt64(len);
            if (n <= 1 || n > MaxHeader || 8 + n > length)
            {
                throw new InputException(path, "", $"header length {n} is impossible for a {length}-byte file (truncated or not safetensors)");
            }
            var header = new byte[n];
            ReadFully(handle, path, "header", header, 8);
            var tensors = ParseHeader(path, header, length - 8 - n);
            return new SafetensorsFile(path, handle, 8 + n, tensors);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Fills <paramref name="dst"/> from <paramref name="offset"/>; a short read means the file shrank since it was sized.</summary>
    private static void ReadFully(SafeFileHandle handle, string path, string field, Span<byte> dst, long offset)
    {
        int done = 0;
        while (done < dst.Length)
        {
            int got = RandomAccess.Read(handle, dst[done..], offset + done);
            if (got == 0)
            {
                long now = RandomAccess.GetLength(handle);
                throw new InputException(path, field, $"the file ended at byte {now} while reading bytes {offset}..{offset + dst.Length}: it was truncated while open (or is being rewritten)");
            }
            done += got;
        }
    }

    private static Dictionary<string, TensorEntry> ParseHeader(string path, byte[] header, long dataBytes)
    {
        // System.Text.Json checks UTF-8 only when a string is read (an InvalidOperationException then); check it all first.
        if (Utf8Text.FirstInvalidByte(header) is int bad)
        {
            throw new InputException(path, "header", $"is not valid UTF-8 (byte 0x{header[bad]:X2} at header offset {bad}); tensor names must be UTF-8");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
        }
        catch (JsonException e)
        {
            throw new InputException(path, "header", $"is not valid JSON ({e.Message.Split('\n')[0]})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(path, "header", "must be a JSON object");
            }
            var errors = new List<InputError>();
            var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    continue;
                }
                if (tensors.ContainsKey(p.Name))
                {
                    errors.Add(new InputError(path, p.Name, "appears twice in the header"));
                    continue;
                }
                var entry = ParseEntry(path, p, dataBytes, errors);
                if (entry is not null)
                {
                    tensors[p.Name] = entry;
                }
                if (errors.Count >= 5)
                {
                    break;
                }
            }
            if (errors.Count == 0)
            {
                CheckOverlaps(path, tensors.Values, errors);
            }
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            return tensors;
        }
    }

    /// <summary>Two tensors sharing bytes would alias each other's weights silently.</summary>
    private static void CheckOverlaps(string path, IEnumerable<TensorEntry> entries, List<InputError> errors)
    {
        TensorEntry? previous = null;
        foreach (var e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            if (previous is not null && e.Begin < previous.End)
            {
                errors.Add(new InputError(path, e.Name, $"data_offsets [{e.Begin}, {e.End}] overlap tensor '{JsonFields.Truncate(previous.Name)}' [{previous.Begin}, {previous.End}]"));
                if (errors.Count >= 5)
                {
                    return;
                }
            }
            if (previous is null || e.End > previous.End)
            {
                previous = e;
            }
        }
    }

    private static TensorEntry? ParseEntry(string path, JsonProperty p, long dataBytes, List<InputError> errors)
    {
        var e = p.Value;
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
        {
            errors.Add(new InputError(path, p.Name, "needs dtype, shape and data_offsets [begin, end]"));
            return null;
        }
        var shape = new List<long>();
        foreach (var s in sh.EnumerateArray())
        {
            if (!s.TryGetInt64(out long v) || v < 0)
            {
                errors.Add(new InputError(path, p.Name, "shape must hold non-negative integers"));
                return null;
            }
            shape.Add(v);
        }
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            errors.Add(new InputError(path, p.Name, "data_offsets must be [begin, end] with 0 <= begin <= end"));
            return null;
        }
        var entry = new TensorEntry(p.Name, dt.GetString()!, shape, begin, end);
        int size = ElementSize(entry.DType);
        long elements = 1;
        foreach (long v in shape)
        {
            // The byte count must fit 64 bits: [2^62, 4] wrapped to 0 and matched empty data_offsets.
            if (v != 0 && elements > long.MaxValue / 8 / v)
            {
                errors.Add(new InputError(path, p.Name, $"shape [{string.Join(", ", shape)}] is too large: its byte count does not fit in 64 bits"));
                return null;
            }
            elements *= v;
        }
        if (end > dataBytes)
        {
            errors.Add(new InputError(path, p.Name, $"truncated: the tensor ends at data byte {end} but the file holds only {dataBytes} data bytes"));
            return null;
        }
        if (size > 0 && elements * size != end - begin)
        {
            errors.Add(new InputError(path, p.Name, $"{entry.DType} shape [{string.Join(", ", shape)}] needs {elements * size} bytes, data_offsets span {end - begin}"));
            return null;
        }
        return entry;
    }

    /// <summary>Bytes per element of the supported dtypes; 0 for any other (reported when such a tensor is read).</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        _ => 0,
    };

    /// <summary>The tensor as floats, row-major as stored.</summary>
    public float[] Read(string name)
    {
        var e = Entry(name);
        var dst = new float[e.Elements];
        Convert(e, 0, dst);
        return dst;
    }

    /// <summary>A [rows, cols] tensor transposed to cols x rows (a Hugging Face Linear [out, in] to the engine's x W layout).</summary>
    public float[] ReadTransposed(string name)
    {
        var e = Entry(name);
        if (e.Shape.Count != 2)
        {
            throw new InputException(Path, name, $"expected a 2-D tensor, got shape [{string.Join(", ", e.Shape)}]");
        }
        int rows = (int)e.Shape[0], cols = (int)e.Shape[1];
        var dst = new float[e.Elements];
        var row = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            Convert(e, (long)r * cols, row);
            for (int c = 0; c < cols; c++)
            {
                dst[((long)c * rows) + r] = row[c];
            }
        }
        return dst;
    }

    private TensorEntry Entry(string name)
    {
        if (!Tensors.TryGetValue(name, out var e))
        {
            throw new InputException(Path, name, "tensor not found");
        }
        if (ElementSize(e.DType) == 0)
        {
            throw new InputException(Path, name, $"dtype {e.DType} is not supported (F32, F16, BF16)");
        }
        if (e.Elements > Array.MaxLength)
        {
            throw new InputException(Path, name, $"{e.Elements} elements, more than one array can hold ({Array.MaxLength})");
        }
        return e;
    }

    /// <summary>Converts dst.Length elements starting at element <paramref name="first"/>, in chunks; refuses NaN and infinities.</summary>
    private void Convert(TensorEntry e, long first, Span<float> dst)
    {
        int size = ElementSize(e.DType);
        long pos = dataStart + e.Begin + (first * size);
        bool bf16 = e.DType == "BF16";
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / size;
            for (int i = 0; i < dst.Length; i += perChunk)
            {
                int n = Math.Min(perChunk, dst.Length - i);
                var chunk = bytes.AsSpan(0, n * size);
                ReadFully(handle, Path, e.Name, chunk, pos + ((long)i * size));
                var to = dst.Slice(i, n);
                if (size == 4)
                {
                    MemoryMarshal.Cast<byte, float>(chunk).CopyTo(to);
                }
                else
                {
                    var half = MemoryMarshal.Cast<byte, ushort>(chunk);
                    for (int j = 0; j < n; j++)
                    {
                        to[j] = bf16 ? BitConverter.Int32BitsToSingle(half[j] << 16) : HalfBits.ToFloat(half[j]);
                    }
                }
                for (int j = 0; j < n; j++)
                {
                    if (!float.IsFinite(to[j]))
                    {
                        throw new InputException(Path, e.Name, $"element {first + i + j} is {(float.IsNaN(to[j]) ? "NaN" : "infinite")}; weights must be finite");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public void Dispose() => handle.Dispose();
}
