using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FizyrRpc;

/// <summary>
/// JSON bodies through System.Text.Json, as the reference's serde_json users send them: field names snake_case by
/// default (the Rust field names), "no body" is <c>null</c>.
/// </summary>
public sealed class JsonFormat : IRpcFormat
{
    private static readonly byte[] Null = "null"u8.ToArray();

    /// <summary>
    /// Creates the format as the reference's serde_json users write: snake_case field names (the Rust field names),
    /// <c>byte[]</c> as an array of numbers (<see cref="SerdeBytesJsonConverter"/>), and the reflection-based resolver.
    /// </summary>
    [RequiresUnreferencedCode("The reflection-based JSON resolver needs the body types' members; pass options with a source-generated resolver instead.")]
    [RequiresDynamicCode("The reflection-based JSON resolver generates code at run time; pass options with a source-generated resolver instead.")]
    public JsonFormat()
        : this(new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters = { new SerdeBytesJsonConverter() },
        })
    {
    }

    /// <summary>
    /// Creates the format with <paramref name="options"/>, which must name a <see cref="JsonSerializerOptions.TypeInfoResolver"/>
    /// (a source-generated <c>JsonSerializerContext</c> keeps it free of reflection). Set a naming policy to match the
    /// remote's field names: the reference's serde users send snake_case.
    /// </summary>
    /// <exception cref="ArgumentException">The options have no type info resolver.</exception>
    public JsonFormat(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TypeInfoResolver is null)
            throw new ArgumentException("The options need a TypeInfoResolver, such as a source-generated JsonSerializerContext.", nameof(options));
        options.MakeReadOnly();
        Options = options;
    }

    /// <summary>The serializer options in use.</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "json";

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> NoBody => Null;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Encode<T>(T value)
    {
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new RpcFormatException($"Cannot encode a {typeof(T).Name} as JSON: {error.Message}", typeof(T), error);
        }
    }

    /// <inheritdoc/>
    public T Decode<T>(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
            return default!;
        try
        {
            return JsonSerializer.Deserialize(body.Span, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)))!;
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new RpcFormatException($"The body is not a valid JSON {typeof(T).Name}: {error.Message}", typeof(T), error);
        }
    }

    /// <inheritdoc/>
    public string Describe(Type type) => FormatNames.Describe(type);
}
