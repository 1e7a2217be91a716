using System.IO.MemoryMappedFiles;
using System.Text.Json;
using XQuant.Kernels.Quantization;
using XQuant.Sim.Foundation.Input;

namespace XQuant.Sim.Studies.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed record TensorEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// A .safetensors file, memory-mapped (read-only): an 8-byte little-endian header length, a JSON header (name -&gt; dtype,
/// shape, data_offsets), then the tensor bytes. The header is validated in full on open (every problem is an
/// <see cref="InputException"/> naming the file and what is wrong); tensors are converted to float one at a time
/// straight from the mapping, never read whole into managed memory. F32, F16 and BF16 are supported.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeader = 100L << 20;
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly long dataStart;

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, long dataStart, Dictionary<string, TensorEntry> tensors)
    {
        Path = path;
        this.map = map;
        this.view = view;
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
        byte[] header;
        long n;
        using (var fs = File.OpenRead(path))
        {
            Span<byte> len = stackalloc byte[8];
            fs.ReadExactly(len);
            n = BitConverter.ToInt64(len);
            if (n <= 1 || n > MaxHeader || 8 + n > length)
            {
                throw new InputException(path, "", $"header length {n} is impossible for a {length}-byte file (truncated or not safetensors)");
            }
            header = new byte[n];
            fs.ReadExactly(header);
        }
        var tensors = ParseHeader(path, header, length - 8 - n);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        return new SafetensorsFile(path, map, view, 8 + n, tensors);
    }

    private static Dictionary<string, TensorEntry> ParseHeader(string path, byte[] header, long dataBytes)
    {
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
            if (errors.Count > 0)
            {
                throw new InputException(errors);
            }
            return tensors;
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
        if (end > dataBytes)
        {
            errors.Add(new InputError(path, p.Name, $"truncated: the tensor ends at data byte {end} but the file holds only {dataBytes} data bytes"));
            return null;
        }
        if (size > 0 && entry.Elements * size != end - begin)
        {
            errors.Add(new InputError(path, p.Name, $"{entry.DType} shape [{string.Join(", ", shape)}] needs {entry.Elements * size} bytes, data_offsets span {end - begin}"));
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
        return e;
    }

    /// <summary>Converts dst.Length elements starting at element <paramref name="first"/> from the mapping, in chunks.</summary>
    private void Convert(TensorEntry e, long first, Span<float> dst)
    {
        const int Chunk = 1 << 16;
        long pos = dataStart + e.Begin;
        if (e.DType == "F32")
        {
            var buf = new float[Math.Min(Chunk, dst.Length)];
            for (int i = 0; i < dst.Length; i += buf.Length)
            {
                int n = Math.Min(buf.Length, dst.Length - i);
                view.ReadArray(pos + ((first + i) * 4), buf, 0, n);
                buf.AsSpan(0, n).CopyTo(dst[i..]);
            }
            return;
        }
        bool bf16 = e.DType == "BF16";
        var half = new ushort[Math.Min(Chunk, dst.Length)];
        for (int i = 0; i < dst.Length; i += half.Length)
        {
            int n = Math.Min(half.Length, dst.Length - i);
            view.ReadArray(pos + ((first + i) * 2), half, 0, n);
            for (int j = 0; j < n; j++)
            {
                dst[i + j] = bf16 ? BitConverter.Int32BitsToSingle(half[j] << 16) : HalfBits.ToFloat(half[j]);
            }
        }
    }

    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }
}
