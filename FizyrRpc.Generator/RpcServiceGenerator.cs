using Microsoft.CodeAnalysis;

namespace FizyrRpc.Generator;

/// <summary>Generates clients, server base classes and introspection for [RpcService] interfaces.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class RpcServiceGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
