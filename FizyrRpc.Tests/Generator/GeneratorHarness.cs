using System.Collections.Immutable;
using FizyrRpc.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FizyrRpc.Tests.Generator;

/// <summary>Runs the generator in memory with CSharpGeneratorDriver, on sources the tests write.</summary>
internal static class GeneratorHarness
{
    /// <summary>Doc comments diagnosed, so the compile check sees missing docs (CS1591) as consumers with docs on do.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>A compilation of <paramref name="sources"/> (files Source0.cs, Source1.cs, ...) against the runtime and FizyrRpc.Core.</summary>
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorTest",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                // As the SDK does: MessagePack is built against an older System.Memory, which unifies with the runtime's.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    /// <summary>A driver with step tracking on, so tests can read the run reasons of the named steps.</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new RpcServiceGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once over <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(driver, driver.GetRunResult().Results.Single(), output, diagnostics);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(RpcServiceAttribute).Assembly.Location)
            .Append(typeof(MessagePack.MessagePackSerializer).Assembly.Location)
            .Append(typeof(MessagePack.KeyAttribute).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        return [.. paths.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}

/// <summary>One run of the generator: the driver (to run again), its result, the compilation with the generated code, and the generator's diagnostics.</summary>
internal sealed record GeneratorRun(
    GeneratorDriver Driver,
    GeneratorRunResult Result,
    Compilation Output,
    ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>Every generated file: its hint name and text, in the order the generator adds them.</summary>
    public IReadOnlyList<(string HintName, string Text)> GeneratedFiles =>
        [.. Result.GeneratedSources.Select(source => (source.HintName, source.SourceText.ToString()))];

    /// <summary>Warnings and errors of the compilation with the generated code.</summary>
    public IReadOnlyList<Diagnostic> CompileProblems =>
        [.. Output.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning)];
}
