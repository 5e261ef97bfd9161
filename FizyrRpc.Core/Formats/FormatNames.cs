namespace FizyrRpc;

/// <summary>Readable type names for introspection ("List&lt;Point&gt;", "int?").</summary>
internal static class FormatNames
{
    public static string Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            return Describe(underlying) + "?";
        if (type.IsArray)
            return Describe(type.GetElementType()!) + "[]";
        if (!type.IsGenericType)
            return type.Name;
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }
}
