using System.Linq;
using Microsoft.CodeAnalysis;

namespace FizyrRpc.Generator;

/// <summary>
/// Every type the parsers compare symbols with, looked up once per compilation (the pipeline makes one per compilation
/// and hands it to each parse) and compared with <see cref="SymbolEqualityComparer"/>, never by name. A type the
/// compilation lacks is null and simply never matches.
/// </summary>
internal sealed class KnownTypeSymbols
{
    public KnownTypeSymbols(Compilation compilation)
    {
        Compilation = compilation;
        INamedTypeSymbol? Get(string name) => compilation.GetTypeByMetadataName(name);

        ServiceAttribute = Get("FizyrRpc.ServiceAttribute");
        StreamAttribute = Get("FizyrRpc.StreamAttribute");
        RequestUpdateAttribute = Get("FizyrRpc.RequestUpdateAttribute");
        ResponseUpdateAttribute = Get("FizyrRpc.ResponseUpdateAttribute");
        HiddenAttribute = Get("FizyrRpc.HiddenAttribute");

        Task = Get("System.Threading.Tasks.Task");
        TaskOfT = Get("System.Threading.Tasks.Task`1");
        ValueTask = Get("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = Get("System.Threading.Tasks.ValueTask`1");
        CancellationToken = Get("System.Threading.CancellationToken");

        MessagePackObjectAttribute = Get("MessagePack.MessagePackObjectAttribute");
        KeyAttribute = Get("MessagePack.KeyAttribute");
        IgnoreMemberAttribute = Get("MessagePack.IgnoreMemberAttribute");
        MessagePackFormatterAttribute = Get("MessagePack.MessagePackFormatterAttribute");
        SerializationConstructorAttribute = Get("MessagePack.SerializationConstructorAttribute");
        IgnoreDataMemberAttribute = Get("System.Runtime.Serialization.IgnoreDataMemberAttribute");
        List = Get("System.Collections.Generic.List`1");
        Dictionary = Get("System.Collections.Generic.Dictionary`2");
        ListInterfaces = Present(
            Get("System.Collections.Generic.IList`1"), Get("System.Collections.Generic.IReadOnlyList`1"),
            Get("System.Collections.Generic.ICollection`1"), Get("System.Collections.Generic.IReadOnlyCollection`1"));
        DictionaryInterfaces = Present(
            Get("System.Collections.Generic.IDictionary`2"), Get("System.Collections.Generic.IReadOnlyDictionary`2"));
        ReadOnlyMemory = Get("System.ReadOnlyMemory`1");
        Guid = Get("System.Guid");
        TimeSpan = Get("System.TimeSpan");
        DateTimeOffset = Get("System.DateTimeOffset");
        Stream = Get("System.IO.Stream");
    }

    /// <summary>The compilation the symbols come from (for accessibility checks).</summary>
    public Compilation Compilation { get; }

    public INamedTypeSymbol? ServiceAttribute { get; }

    public INamedTypeSymbol? StreamAttribute { get; }

    public INamedTypeSymbol? RequestUpdateAttribute { get; }

    public INamedTypeSymbol? ResponseUpdateAttribute { get; }

    public INamedTypeSymbol? HiddenAttribute { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? MessagePackObjectAttribute { get; }

    public INamedTypeSymbol? KeyAttribute { get; }

    public INamedTypeSymbol? IgnoreMemberAttribute { get; }

    public INamedTypeSymbol? MessagePackFormatterAttribute { get; }

    public INamedTypeSymbol? SerializationConstructorAttribute { get; }

    public INamedTypeSymbol? IgnoreDataMemberAttribute { get; }

    public INamedTypeSymbol? List { get; }

    public INamedTypeSymbol? Dictionary { get; }

    public INamedTypeSymbol[] ListInterfaces { get; }

    public INamedTypeSymbol[] DictionaryInterfaces { get; }

    public INamedTypeSymbol? ReadOnlyMemory { get; }

    public INamedTypeSymbol? Guid { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    public INamedTypeSymbol? DateTimeOffset { get; }

    public INamedTypeSymbol? Stream { get; }

    /// <summary>Whether <paramref name="type"/> is <paramref name="known"/> (false when the compilation lacks it).</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        known is not null && SymbolEqualityComparer.Default.Equals(type, known);

    /// <summary>The first attribute of class <paramref name="attribute"/> on <paramref name="symbol"/>, or null.</summary>
    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attribute) =>
        attribute is null ? null : symbol.GetAttributes().FirstOrDefault(a => Is(a.AttributeClass, attribute));

    private static INamedTypeSymbol[] Present(params INamedTypeSymbol?[] types) =>
        types.Where(type => type is not null).Select(type => type!).ToArray();
}
