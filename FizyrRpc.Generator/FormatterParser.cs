using System.Collections.Generic;
using System.Linq;
using System.Text;
using FizyrRpc.Generator.Diagnostics;
using FizyrRpc.Generator.Model;
using Microsoft.CodeAnalysis;

namespace FizyrRpc.Generator;

/// <summary>
/// Works out, from the symbols, how every body type of an interface is written and read as MessagePack, and the
/// formatters that takes: one per type, collection shape and primitive body. A body type it cannot encode is a
/// diagnostic (FRPC021, FRPC022) at the parameter, return type or attribute that declares it.
/// </summary>
internal sealed class FormatterParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>Types with an annotation: collection shapes differ by their elements' nullability.</summary>
    private static readonly SymbolDisplayFormat AnnotatedFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly Compilation _compilation;
    private readonly KnownTypeSymbols _known;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly List<ShapeModel?> _shapes = new();
    private readonly Dictionary<string, int> _shapeIndex = new(System.StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(System.StringComparer.Ordinal);
    private readonly List<(string Type, string Formatter)> _bodies = new();
    private readonly HashSet<string> _bodyTypes = new(System.StringComparer.Ordinal);

    public FormatterParser(KnownTypeSymbols known, List<DiagnosticInfo> diagnostics)
    {
        _compilation = known.Compilation;
        _known = known;
        _diagnostics = diagnostics;
    }

    /// <summary>Every formatter, in the order they were found.</summary>
    public EquatableArray<ShapeModel> Shapes => new(_shapes.Where(shape => shape is not null).Select(shape => shape!));

    /// <summary>The formatter of each body type, for the resolver (one per type).</summary>
    public EquatableArray<BodyFormatterModel> Bodies => new(_bodies.Select(body => new BodyFormatterModel(body.Type, body.Formatter)));

    /// <summary>Adds a body type; reports FRPC021/FRPC022 at <paramref name="location"/> when it cannot be encoded.</summary>
    public void AddBody(ITypeSymbol type, LocationInfo? location, string what)
    {
        var value = Value(type, out var problem, out var noConstructor);
        if (value is null)
        {
            var display = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            _diagnostics.Add(new DiagnosticInfo(
                noConstructor ? DiagnosticDescriptors.NoConstructor : DiagnosticDescriptors.UnsupportedBodyType,
                location,
                new EquatableArray<string>(new[] { display, what, problem! })));
            return;
        }

        // A body's own nil is the top level's business (no body): its wrapper reads nil as the default.
        var formatter = value.Formatter ?? Shape(
            "wrap:" + type.ToDisplayString(AnnotatedFormat),
            type,
            name => new ShapeModel(name, value.Type, ShapeKind.Wrapper, value.IsValueType ? value : value with { AllowsNil = true }, null, null, null))!;
        Resolvable(type, formatter);
    }

    /// <summary>Lets the resolver give <paramref name="formatter"/> for <paramref name="type"/> (the first formatter of a type wins).</summary>
    private void Resolvable(ITypeSymbol type, string formatter)
    {
        var typeOf = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeFormat);
        if (_bodyTypes.Add(typeOf))
            _bodies.Add((typeOf, formatter));
    }

    private ValueModel? Value(ITypeSymbol type, out string? problem, out bool noConstructor)
    {
        problem = null;
        noConstructor = false;
        var allowsNil = !type.IsValueType && type.NullableAnnotation != NullableAnnotation.NotAnnotated;
        var display = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var plain = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        var typeName = plain.ToDisplayString(AnnotatedFormat);

        switch (type)
        {
            case ITypeParameterSymbol:
                problem = $"'{display}' is a type parameter: a body type must be closed; use a concrete type";
                return null;
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                problem = $"'{display}' is a pointer: a body carries data, not addresses; send the data itself";
                return null;
            case IDynamicTypeSymbol:
                problem = "'dynamic' says nothing about the body's layout: use a concrete type";
                return null;
            case IErrorTypeSymbol:
                problem = $"'{display}' is not a known type";
                return null;
        }

        if (type.IsRefLikeType)
        {
            problem = $"'{display}' is a ref struct, which cannot be stored: use byte[], ReadOnlyMemory<byte> or an array";
            return null;
        }

        if (Primitive(type) is { } primitive)
            return new ValueModel(typeName, type.IsValueType, allowsNil, primitive, null, null);

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                problem = $"'{display}' is a multi-dimensional array: use an array of arrays";
                return null;
            }

            var element = Value(array.ElementType, out problem, out noConstructor);
            if (element is null)
                return null;
            var name = Shape("array:" + type.ToDisplayString(AnnotatedFormat), type, n => new ShapeModel(n, typeName, ShapeKind.Array, element, null, null, null))!;
            return new ValueModel(typeName, false, allowsNil, null, name, null);
        }

        if (type is not INamedTypeSymbol named)
        {
            problem = $"'{display}' is not supported";
            return null;
        }

        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            var underlying = Value(named.TypeArguments[0], out problem, out noConstructor);
            return underlying is null ? null : new ValueModel(typeName, true, true, null, null, underlying);
        }

        if (named.SpecialType == SpecialType.System_Object)
        {
            problem = "'object' says nothing about the body's layout: use a concrete type";
            return null;
        }

        if (named.TypeKind == TypeKind.Delegate)
        {
            problem = $"'{display}' is a delegate: a body carries data, not code; send a value that says what to do";
            return null;
        }

        if (!_compilation.IsSymbolAccessibleWithin(named, _compilation.Assembly))
        {
            problem = $"'{display}' is not accessible to the generated code: make it internal or public";
            return null;
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            var underlying = Primitive(named.EnumUnderlyingType!)!;
            var name = Shape("enum:" + typeName, type, n => new ShapeModel(n, typeName, ShapeKind.Enum, null, null, underlying, null))!;
            Resolvable(type, name);
            return new ValueModel(typeName, true, false, null, name, null);
        }

        if (Attribute(named, _known.MessagePackFormatterAttribute) is { } custom)
        {
            if (custom.ConstructorArguments.Length == 0 || custom.ConstructorArguments[0].Value is not INamedTypeSymbol formatterType)
            {
                problem = $"'{display}' has a [MessagePackFormatter] attribute without a formatter type";
                return null;
            }

            var formatter = formatterType.ToDisplayString(TypeFormat);
            var name = Shape("custom:" + typeName, type, n => new ShapeModel(n, typeName, ShapeKind.Custom, new ValueModel(typeName, type.IsValueType, false, null, null, null), null, formatter, null))!;
            return new ValueModel(typeName, type.IsValueType, allowsNil, null, name, null);
        }

        var definition = named.OriginalDefinition;
        if (Same(definition, _known.List) || IsAny(definition, _known.ListInterfaces))
        {
            var element = Value(named.TypeArguments[0], out problem, out noConstructor);
            if (element is null)
                return null;
            var construct = "global::System.Collections.Generic.List<" + named.TypeArguments[0].ToDisplayString(AnnotatedFormat) + ">";
            var name = Shape("list:" + type.ToDisplayString(AnnotatedFormat), type, n => new ShapeModel(n, typeName, ShapeKind.List, element, null, construct, null))!;
            return new ValueModel(typeName, false, allowsNil, null, name, null);
        }

        if (Same(definition, _known.Dictionary) || IsAny(definition, _known.DictionaryInterfaces))
        {
            var keyType = named.TypeArguments[0];
            var key = Value(keyType, out problem, out noConstructor);
            if (key is null)
                return null;
            if (!(keyType.TypeKind == TypeKind.Enum || key.Primitive is "String" or "Char" or "Byte" or "SByte" or "Int16" or "UInt16" or "Int32" or "UInt32" or "Int64" or "UInt64"))
            {
                problem = $"'{display}' has keys of type '{keyType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}': dictionary keys must be strings, integers or enums";
                return null;
            }

            var element = Value(named.TypeArguments[1], out problem, out noConstructor);
            if (element is null)
                return null;
            var construct = "global::System.Collections.Generic.Dictionary<" + keyType.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(AnnotatedFormat)
                + ", " + named.TypeArguments[1].ToDisplayString(AnnotatedFormat) + ">";
            var name = Shape("dictionary:" + type.ToDisplayString(AnnotatedFormat), type, n => new ShapeModel(n, typeName, ShapeKind.Dictionary, element, key with { AllowsNil = false }, construct, null))!;
            return new ValueModel(typeName, false, allowsNil, null, name, null);
        }

        if (Same(named, _known.Stream) || InheritsFrom(named, _known.Stream))
        {
            problem = $"'{display}' is a stream of bytes, not a value: send byte[] or ReadOnlyMemory<byte>, or the data in several messages";
            return null;
        }

        if (named.TypeKind == TypeKind.Interface || named.IsAbstract)
        {
            problem = $"'{display}' is {(named.TypeKind == TypeKind.Interface ? "an interface" : "abstract")}, which cannot be created from a body: use a concrete class, record or struct (for lists: T[], List<T> or IReadOnlyList<T>)";
            return null;
        }

        if (named.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            problem = $"'{display}' is not a class, record, struct or enum";
            return null;
        }

        if (named.SpecialType != SpecialType.None || named.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        {
            problem = $"'{display}' is not a supported collection: use T[], List<T>, IReadOnlyList<T>, Dictionary<K, V> or IReadOnlyDictionary<K, V>";
            return null;
        }

        if (named.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)))
        {
            problem = $"'{display}' is a framework type without a MessagePack layout: use a primitive, a collection or your own record";
            return null;
        }

        var objectName = Shape("object:" + typeName, type, n => ObjectShape(n, named, typeName));
        if (objectName is null)
        {
            problem = _objectProblem;
            noConstructor = _objectNoConstructor;
            return null;
        }

        Resolvable(type, objectName);
        return new ValueModel(typeName, type.IsValueType, allowsNil, null, objectName, null);
    }

    private string? _objectProblem;
    private bool _objectNoConstructor;

    /// <summary>
    /// The formatter named for <paramref name="key"/>, made by <paramref name="make"/> the first time (a type that
    /// refers to itself finds its own name while it is being made). Null when it cannot be made.
    /// </summary>
    private string? Shape(string key, ITypeSymbol type, System.Func<string, ShapeModel?> make)
    {
        if (_shapeIndex.TryGetValue(key, out var index))
            return _shapeNames[index];

        var name = UniqueName(type);
        index = _shapes.Count;
        _shapes.Add(null);
        _shapeNames.Add(name);
        _shapeIndex.Add(key, index);
        var shape = make(name);
        if (shape is null)
        {
            _shapeIndex.Remove(key);
            return null;
        }

        _shapes[index] = shape;
        return name;
    }

    private readonly List<string> _shapeNames = new();

    private string UniqueName(ITypeSymbol type)
    {
        var text = new StringBuilder();
        Append(type, text);
        var baseName = text.Append("Formatter").ToString();
        var name = baseName;
        for (var i = 2; !_names.Add(name); i++)
            name = baseName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name;

        static void Append(ITypeSymbol type, StringBuilder text)
        {
            switch (type)
            {
                case IArrayTypeSymbol array:
                    Append(array.ElementType, text);
                    text.Append("Array");
                    return;
                case INamedTypeSymbol named:
                    if (named.ContainingType is { } containing)
                        Append(containing, text);
                    text.Append(named.Name);
                    if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
                        text.Length -= named.Name.Length;
                    foreach (var argument in named.TypeArguments)
                        Append(argument, text);
                    if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || type.NullableAnnotation == NullableAnnotation.Annotated)
                        text.Append("OrNil");
                    return;
                default:
                    text.Append(type.Name);
                    return;
            }
        }
    }

    private ShapeModel? ObjectShape(string name, INamedTypeSymbol type, string typeName)
    {
        var contract = Attribute(type, _known.MessagePackObjectAttribute);
        var keyAsPropertyName = contract is not null && contract.ConstructorArguments.Length > 0 && contract.ConstructorArguments[0].Value is true;
        var display = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

        // The data members: public instance fields and properties, base types first; [IgnoreMember]/[IgnoreDataMember] skip one.
        var candidates = new List<(ISymbol Symbol, ITypeSymbol Type, bool Writable, AttributeData? Key)>();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var chain = new List<INamedTypeSymbol>();
        for (var t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
            chain.Insert(0, t);
        foreach (var t in chain)
        {
            foreach (var member in t.GetMembers())
            {
                if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public || member.IsImplicitlyDeclared)
                    continue;
                if (Attribute(member, _known.IgnoreMemberAttribute) is not null || Attribute(member, _known.IgnoreDataMemberAttribute) is not null)
                    continue;
                switch (member)
                {
                    case IPropertySymbol { IsIndexer: false, GetMethod: { DeclaredAccessibility: Accessibility.Public } } property when seen.Add(property.Name):
                        var writable = property.SetMethod is { DeclaredAccessibility: Accessibility.Public };
                        candidates.Add((property, property.Type, writable, Attribute(property, _known.KeyAttribute)));
                        break;
                    case IFieldSymbol { IsConst: false } field when field.AssociatedSymbol is null && seen.Add(field.Name):
                        candidates.Add((field, field.Type, !field.IsReadOnly, Attribute(field, _known.KeyAttribute)));
                        break;
                }
            }
        }

        if (contract is not null && !keyAsPropertyName)
            candidates = candidates.Where(candidate => candidate.Key is not null).ToList();

        // The constructor: [SerializationConstructor], else the one with the most parameters that all name members, else none.
        var constructors = type.InstanceConstructors
            .Where(c => _compilation.IsSymbolAccessibleWithin(c, _compilation.Assembly))
            .Where(c => !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type.OriginalDefinition, type.OriginalDefinition)))
            .ToList();
        IMethodSymbol? constructor = constructors.FirstOrDefault(c => Attribute(c, _known.SerializationConstructorAttribute) is not null);
        if (constructor is null)
        {
            constructor = constructors
                .Where(c => c.Parameters.All(p => candidates.Any(m => Matches(m.Symbol.Name, m.Type, p))))
                .OrderByDescending(c => c.Parameters.Length)
                .FirstOrDefault();
        }

        if (constructor is null && !(type.IsValueType))
        {
            _objectProblem = constructors.Count == 0
                ? $"'{display}' has no constructor the generated code can call: add a public one"
                : $"no constructor of '{display}' can be called from its members: add a public parameterless constructor, or one whose parameters match its public properties by name";
            _objectNoConstructor = true;
            return null;
        }

        var members = new List<MemberModel>();
        var arrayIndex = 0;
        foreach (var (symbol, memberType, writable, key) in candidates)
        {
            var position = -1;
            for (var i = 0; constructor is not null && i < constructor.Parameters.Length && position < 0; i++)
            {
                if (Matches(symbol.Name, memberType, constructor.Parameters[i]))
                    position = i;
            }

            var assign = position >= 0 ? MemberAssign.Constructor : writable ? MemberAssign.Initializer : MemberAssign.None;
            if (contract is null && assign == MemberAssign.None)
                continue; // a computed property of a plain type: not data
            var value = Value(memberType, out var problem, out var noConstructor);
            if (value is null)
            {
                _objectProblem = $"its member '{display}.{symbol.Name}' cannot be encoded: {problem}";
                _objectNoConstructor = noConstructor;
                return null;
            }

            int index;
            string[] keys;
            if (contract is null)
            {
                index = arrayIndex++;
                var snake = SnakeCase(symbol.Name);
                keys = snake == symbol.Name ? new[] { symbol.Name } : new[] { symbol.Name, snake };
            }
            else if (keyAsPropertyName && key is null)
            {
                index = -1;
                keys = new[] { symbol.Name };
            }
            else if (key!.ConstructorArguments.Length == 1 && key.ConstructorArguments[0].Value is int intKey)
            {
                index = intKey;
                keys = System.Array.Empty<string>();
            }
            else if (key.ConstructorArguments.Length == 1 && key.ConstructorArguments[0].Value is string stringKey)
            {
                index = -1;
                keys = new[] { stringKey };
            }
            else
            {
                _objectProblem = $"the [Key] of '{display}.{symbol.Name}' is neither an int nor a string";
                return null;
            }

            members.Add(new MemberModel(symbol.Name, index, new EquatableArray<string>(keys), value, assign, position));
        }

        if (constructor is not null && Enumerable.Range(0, constructor.Parameters.Length).Any(i => !members.Any(m => m.Assign == MemberAssign.Constructor && m.ConstructorPosition == i)))
        {
            _objectProblem = $"the constructor of '{display}' takes a parameter that is not a serialized member: give every parameter a matching public property";
            _objectNoConstructor = true;
            return null;
        }

        var map = members.Any(m => m.Index < 0);
        if (map && members.Any(m => m.Index >= 0))
        {
            _objectProblem = $"'{display}' mixes int and string [Key]s: use one kind";
            return null;
        }

        var length = map || members.Count == 0 ? 0 : members.Max(m => m.Index) + 1;
        return new ShapeModel(
            name, typeName, ShapeKind.Object, null, null, null,
            new ObjectModel(type.IsValueType, map ? ObjectLayout.Map : ObjectLayout.Array, contract is null, length, new EquatableArray<MemberModel>(members)));
    }

    private static bool Matches(string memberName, ITypeSymbol memberType, IParameterSymbol parameter) =>
        string.Equals(memberName, parameter.Name, System.StringComparison.OrdinalIgnoreCase)
        && SymbolEqualityComparer.Default.Equals(memberType.WithNullableAnnotation(NullableAnnotation.None), parameter.Type.WithNullableAnnotation(NullableAnnotation.None));

    /// <summary>"FramesRecorded" gives "frames_recorded": the Rust field name of a map written by rmp-serde's to_vec_named.</summary>
    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                    text.Append('_');
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>The reader/writer form of a primitive, or null.</summary>
    private string? Primitive(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "Boolean";
            case SpecialType.System_Byte: return "Byte";
            case SpecialType.System_SByte: return "SByte";
            case SpecialType.System_Int16: return "Int16";
            case SpecialType.System_UInt16: return "UInt16";
            case SpecialType.System_Int32: return "Int32";
            case SpecialType.System_UInt32: return "UInt32";
            case SpecialType.System_Int64: return "Int64";
            case SpecialType.System_UInt64: return "UInt64";
            case SpecialType.System_Single: return "Single";
            case SpecialType.System_Double: return "Double";
            case SpecialType.System_Char: return "Char";
            case SpecialType.System_String: return "String";
            case SpecialType.System_DateTime: return "DateTime";
            case SpecialType.System_Decimal: return "Decimal";
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
            return "Bytes";
        if (type is INamedTypeSymbol named)
        {
            if (Same(named.OriginalDefinition, _known.ReadOnlyMemory) && named.TypeArguments[0].SpecialType == SpecialType.System_Byte)
                return "Memory";
            if (Same(named, _known.Guid))
                return "Guid";
            if (Same(named, _known.TimeSpan))
                return "TimeSpan";
            if (Same(named, _known.DateTimeOffset))
                return "DateTimeOffset";
        }

        return null;
    }

    private static AttributeData? Attribute(ISymbol symbol, INamedTypeSymbol? attribute) => KnownTypeSymbols.Find(symbol, attribute);

    private static bool Same(ITypeSymbol? left, INamedTypeSymbol? right) => KnownTypeSymbols.Is(left, right);

    private static bool IsAny(ITypeSymbol type, IEnumerable<INamedTypeSymbol> types) => types.Any(t => Same(type, t));

    private static bool InheritsFrom(INamedTypeSymbol type, INamedTypeSymbol? baseType)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (Same(t, baseType))
                return true;
        }

        return false;
    }
}
