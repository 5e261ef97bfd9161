using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FizyrRpc;

/// <summary>
/// JSON bodies through System.Text.Json. <see cref="ForSerde()"/> (and the parameterless constructor) gives what a Rust
/// serde_json peer expects: snake_case field names, <c>byte[]</c> as an array of numbers, <c>()</c> as <c>null</c>, and
/// serde's strictness (a missing or <c>null</c> member that is not nullable is an invalid body; unknown members are
/// ignored). "No body" is <c>null</c>.
/// </summary>
public sealed class JsonFormat : IRpcFormat
{
    private static readonly byte[] Null = "null"u8.ToArray();

    /// <summary>Creates the serde preset with the reflection-based resolver; the same as <see cref="ForSerde()"/>.</summary>
    [RequiresUnreferencedCode("The reflection-based JSON resolver needs the body types' members; use ForSerde(JsonSerializerContext) instead.")]
    [RequiresDynamicCode("The reflection-based JSON resolver generates code at run time; use ForSerde(JsonSerializerContext) instead.")]
    public JsonFormat()
        : this(SerdeJsonOptions.Create(new DefaultJsonTypeInfoResolver(), basis: null))
    {
    }

    /// <summary>
    /// Creates the format with <paramref name="options"/> as they are, which must name a
    /// <see cref="JsonSerializerOptions.TypeInfoResolver"/>. The top-level "no body" rule applies whatever the options;
    /// member-level strictness is what the options say. To talk to serde peers, prefer <see cref="ForSerde(JsonSerializerContext)"/>.
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

    /// <summary>
    /// The serde preset with the reflection-based resolver: snake_case names, <c>byte[]</c> as an array of numbers,
    /// <c>()</c> as <c>null</c>, members that are not nullable required and never <c>null</c>, unknown members ignored.
    /// </summary>
    [RequiresUnreferencedCode("The reflection-based JSON resolver needs the body types' members; use ForSerde(JsonSerializerContext) instead.")]
    [RequiresDynamicCode("The reflection-based JSON resolver generates code at run time; use ForSerde(JsonSerializerContext) instead.")]
    public static JsonFormat ForSerde() => new();

    /// <summary>
    /// The serde preset over a source-generated <paramref name="context"/> (no reflection; Native AOT safe), with every
    /// rule of <see cref="ForSerde()"/>. The context's own options are kept where they agree with the preset.
    /// </summary>
    /// <exception cref="ArgumentException">The context's options contradict the preset (the message lists how).</exception>
    public static JsonFormat ForSerde(JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new JsonFormat(SerdeJsonOptions.Create(context, context.Options));
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
    public T Decode<T>(ReadOnlyMemory<byte> body, bool nullable)
    {
        if (body.IsEmpty || IsNull(body.Span))
            return NoBodyRule.Accept<T>(nullable, body.IsEmpty ? "empty" : "null");
        try
        {
            return JsonSerializer.Deserialize(body.Span, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)))!;
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new RpcFormatException($"The body is not a valid JSON {typeof(T).Name}: {error.Message}", typeof(T), error);
        }
    }

    // `null`, with the whitespace JSON allows around a value.
    private static bool IsNull(ReadOnlySpan<byte> body) => body.Trim(" \t\r\n"u8).SequenceEqual(Null);

    /// <inheritdoc/>
    public string Describe(Type type) => FormatNames.Describe(type);
}
