using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace XQuant.Sim.Tests.Architecture;

/// <summary>
/// Keeps the arrows of docs/architecture.md: XQuant.Sim compiles here from source, every name each file uses is
/// resolved by the compiler (using directives, qualified names, extension methods, implicit parent namespaces),
/// and any reference that points up the layers, or up the order of areas inside a layer, fails the test.
/// </summary>
[TestClass]
public sealed partial class LayerTests
{
    /// <summary>Layers lowest first; inside a layer, areas lowest first. An area may use its own layer's lower areas.</summary>
    internal static readonly (string Layer, string[] Areas)[] Layers =
    [
        ("Foundation", ["Concurrency", "Input", "Text", "Output"]),
        ("Domain", ["Hardware", "Models", "Schemes", "Parallelism", "Memory", "CostModel", "Planning"]),
        ("Studies", ["Checkpoints", "Measurement", "Accuracy", "Quality", "Serving", "Scenarios", "Comparison", "Published", "TensorParallel", "WhatIf"]),
        ("Rendering", ["Tables", "Charts", "Documents", "Reports", "Published", "Serving", "Export", "Json"]),
        ("Cli", ["", "Fuzzing", "Explore"]),
    ];

    private static Lazy<IReadOnlyList<string>> Violations { get; } = new(FindViolations);

    [TestMethod]
    public void NoReferencePointsUpTheLayers()
    {
        var v = Violations.Value;
        Assert.IsEmpty(v, "upward references (file: from -> to, name):\n" + string.Join("\n", v));
    }

    [TestMethod]
    public void EveryFolderIsALayerArea()
    {
        string root = Path.Combine(TestPaths.RepoRoot, "XQuant.Sim");
        var unknown = SourceFiles(root)
            .Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Where(d => d != "." && Rank("XQuant.Sim." + d.Replace('/', '.')) is null)
            .Distinct().ToList();
        Assert.IsEmpty(unknown, "folders outside the layer table (add them to LayerTests.Layers and docs/architecture.md): " + string.Join(", ", unknown));
    }

    [TestMethod]
    public void TheCheckCatchesAnUpwardReference()
    {
        // The same check on a planted file: a domain type that names a rendering table.
        string planted = """
            using XQuant.Sim.Rendering.Tables;
            namespace XQuant.Sim.Domain.Memory;
            internal static class Planted { public static object Table() => typeof(LedgerTable); }
            """;
        var v = FindViolations([("Domain/Memory/Planted.cs", planted)]);
        Assert.IsTrue(v.Any(x => x.Contains("Planted.cs: Domain.Memory -> Rendering.Tables", StringComparison.Ordinal)), string.Join("\n", v));
    }

    [TestMethod]
    public void KernelsSpeakNeitherCliNorCostModel()
    {
        // XQuant.Kernels is a library of kernels: no command-line options in its messages, no cost-model
        // spec strings or ledger names in its API (the simulator maps kernels to its own vocabulary).
        string root = Path.Combine(TestPaths.RepoRoot, "XQuant.Kernels");
        var hits = new List<string>();
        foreach (string f in SourceFiles(root))
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(f));
            foreach (var lit in tree.GetRoot().DescendantNodes().OfType<LiteralExpressionSyntax>().Where(l => l.IsKind(SyntaxKind.StringLiteralExpression)))
            {
                if (CliOption().IsMatch(lit.Token.ValueText) || lit.Token.ValueText.Contains("xqsim", StringComparison.OrdinalIgnoreCase))
                {
                    hits.Add($"{Path.GetRelativePath(root, f)}: \"{lit.Token.ValueText}\"");
                }
            }
            foreach (var id in tree.GetRoot().DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)))
            {
                if (CostModelWords.Any(w => id.ValueText.Contains(w, StringComparison.Ordinal)))
                {
                    hits.Add($"{Path.GetRelativePath(root, f)}: identifier {id.ValueText}");
                }
            }
        }
        Assert.IsEmpty(hits, string.Join("\n", hits.Distinct()));
    }

    [TestMethod]
    public void NoPublicMemberHasAOneLetterName()
    {
        // Names carry meaning and units (BytesPerWeight, ContextTokens); a letter is a local's name, not an API's.
        var oneLetter = new[] { typeof(Domain.CostModel.LedgerBuilder).Assembly, typeof(XQuant.Kernels.Engine.DecodeEngine).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
                .Where(m => m.Name.Length == 1 && m.MemberType is System.Reflection.MemberTypes.Property or System.Reflection.MemberTypes.Field or System.Reflection.MemberTypes.Method)
                .Select(m => $"{t.FullName}.{m.Name}"))
            .ToList();
        Assert.IsEmpty(oneLetter, string.Join("\n", oneLetter));
    }

    private static readonly string[] CostModelWords = ["SimSpec", "Ledger", "Roofline", "CacheScheme", "CostModel"];

    [GeneratedRegex(@"(^|\s)--[a-z]")]
    private static partial Regex CliOption();

    /// <summary>(layer index, area index) of a namespace inside XQuant.Sim, or null when it is not in the table.</summary>
    internal static (int Layer, int Area, string Name)? Rank(string ns)
    {
        string[] parts = ns.Split('.');
        if (parts.Length < 3 || parts[0] != "XQuant" || parts[1] != "Sim")
        {
            return null;
        }
        int layer = Array.FindIndex(Layers, l => l.Layer == parts[2]);
        if (layer < 0)
        {
            return null;
        }
        string area = parts.Length > 3 ? parts[3] : "";
        int a = Array.IndexOf(Layers[layer].Areas, area);
        if (a < 0 && area.Length == 0)
        {
            return (layer, -1, parts[2]);   // the layer's namespace itself, as in a `using XQuant.Sim.Rendering...` prefix
        }
        return a < 0 ? null : (layer, a, area.Length == 0 ? parts[2] : parts[2] + "." + area);
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static IReadOnlyList<string> FindViolations() => FindViolations([]);

    private static IReadOnlyList<string> FindViolations(IReadOnlyList<(string RelPath, string Text)> extra)
    {
        string root = Path.Combine(TestPaths.RepoRoot, "XQuant.Sim");
        var trees = SourceFiles(root)
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: Path.GetRelativePath(root, f)))
            .Concat(extra.Select(e => CSharpSyntaxTree.ParseText(e.Text, path: e.RelPath)))
            .Append(CSharpSyntaxTree.ParseText(GlobalUsings, path: "GlobalUsings.g.cs"))
            .ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileNameWithoutExtension(p).Equals("xqsim", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("layers", trees, references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        // Generated regex bodies come from a source generator this compilation does not run.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(5).ToList();
        Assert.IsEmpty(errors, "the layer check could not compile XQuant.Sim: " + string.Join("; ", errors));

        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var fileNs = tree.GetRoot().DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString();
            if (fileNs is null || Rank(fileNs) is not { } from)
            {
                continue;
            }
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(name).Symbol ?? model.GetSymbolInfo(name).CandidateSymbols.FirstOrDefault();
                var ns = symbol switch
                {
                    INamespaceSymbol n => n,
                    ITypeSymbol t => t.ContainingNamespace,
                    { ContainingType: not null } m => m.ContainingType.ContainingNamespace,
                    _ => null,
                };
                if (ns is null || Rank(ns.ToDisplayString()) is not { } to)
                {
                    continue;
                }
                bool up = to.Layer > from.Layer || (to.Layer == from.Layer && to.Area > from.Area && from.Layer != Layers.Length - 1);
                if (up)
                {
                    found.Add(string.Create(CultureInfo.InvariantCulture, $"{tree.FilePath}: {from.Name} -> {to.Name}, {name.Identifier.ValueText}"));
                }
            }
        }
        return [.. found];
    }

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}
