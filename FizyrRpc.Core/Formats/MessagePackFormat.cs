using MessagePack;

namespace FizyrRpc;

/// <summary>
/// MessagePack bodies (the default format). Received bodies are read with MessagePack's untrusted-data security
/// settings (depth limits, hash-collision-resistant collections). "No body" is nil.
/// </summary>
public sealed class MessagePackFormat : IRpcFormat
{
    private static readonly byte[] Nil = [0xc0];

    /// <summary>The format with MessagePack's standard resolver and untrusted-data security.</summary>
    public static MessagePackFormat Default { get; } = new();

    /// <summary>Creates the format with <paramref name="options"/> (default: standard resolver); untrusted-data security is always applied.</summary>
    public MessagePackFormat(MessagePackSerializerOptions? options = null)
    {
        Options = (options ?? MessagePackSerializerOptions.Standard).WithSecurity(MessagePackSecurity.UntrustedData);
    }

    /// <summary>The serializer options in use.</summary>
    public MessagePackSerializerOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "msgpack";

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> NoBody => Nil;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Encode<T>(T value)
    {
        try
        {
            return MessagePackSerializer.Serialize(value, Options);
        }
        catch (MessagePackSerializationException error)
        {
            throw new RpcFormatException($"Cannot encode a {typeof(T).Name} as MessagePack: {error.Message}", typeof(T), error);
        }
    }

    /// <inheritdoc/>
    public T Decode<T>(ReadOnlyMemory<byte> body, bool nullable)
    {
        if (body.IsEmpty || body.Span is [0xc0])
            return NoBodyRule.Accept<T>(nullable, body.IsEmpty ? "empty" : "nil");
        try
        {
            return MessagePackSerializer.Deserialize<T>(body, Options);
        }
        catch (MessagePackSerializationException error)
        {
            throw new RpcFormatException($"The body is not a valid MessagePack {typeof(T).Name}: {error.Message}", typeof(T), error);
        }
    }

    /// <inheritdoc/>
    public string Describe(Type type) => FormatNames.Describe(type);
}
