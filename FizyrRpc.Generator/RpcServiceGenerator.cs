using FizyrRpc.Generator.Model;
using Microsoft.CodeAnalysis;

namespace FizyrRpc.Generator;

/// <summary>Generates clients, server base classes and introspection for [RpcService] interfaces.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class RpcServiceGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The known types, looked up once per compilation and shared by every interface's parse.
        var knownTypes = context.CompilationProvider
            .Select(static (compilation, _) => new KnownTypeSymbols(compilation))
            .WithTrackingName(TrackingNames.KnownTypes);

        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "FizyrRpc.RpcServiceAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax,
                static (attributeContext, _) => attributeContext)
            .Combine(knownTypes)
            .Select(static (pair, cancellationToken) => new Parser(pair.Right).Parse(pair.Left, cancellationToken))
            .WithTrackingName(TrackingNames.Result);

        // Two outputs: a diagnostic that only moved re-reports without re-emitting code, and the reverse.
        var models = results
            .Select(static (result, _) => result.Model)
            .WithTrackingName(TrackingNames.Model);
        context.RegisterSourceOutput(models, static (output, model) =>
        {
            if (model is null)
                return;
            foreach (var file in Emitter.Emit(model))
                output.AddSource(file.HintName, file.Source);
        });

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, list) =>
        {
            foreach (var diagnostic in list)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
    }
}
