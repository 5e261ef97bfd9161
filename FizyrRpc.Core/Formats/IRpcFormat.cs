namespace FizyrRpc;

/// <summary>
/// How typed values become message bodies and back. "No body" is format-defined (<see cref="NoBody"/>), and every
/// decoder reads an empty body as "no body" (the default value).
/// </summary>
public interface IRpcFormat
{
    /// <summary>The name of the format, as introspection shows it (e.g. "msgpack", "json", "raw").</summary>
    string Name { get; }

    /// <summary>The body this format sends for "no value" (MessagePack nil, JSON null, raw: empty).</summary>
    ReadOnlyMemory<byte> NoBody { get; }

    /// <summary>Encodes <paramref name="value"/> into a new body.</summary>
    /// <exception cref="RpcFormatException">The value cannot be encoded.</exception>
    ReadOnlyMemory<byte> Encode<T>(T value);

    /// <summary>
    /// Decodes a body; an empty body decodes to the default value. The result must not refer to the body's memory,
    /// which may be rented and returned once decoded, except a <see cref="ReadOnlyMemory{T}"/> of bytes, which may be
    /// the body itself (the caller then keeps the body).
    /// </summary>
    /// <exception cref="RpcFormatException">The body is not a valid <typeparamref name="T"/>.</exception>
    T Decode<T>(ReadOnlyMemory<byte> body);

    /// <summary>Describes how a body of <paramref name="type"/> looks in this format, for introspection.</summary>
    string Describe(Type type);
}
