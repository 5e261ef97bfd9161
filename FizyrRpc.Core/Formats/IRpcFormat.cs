namespace FizyrRpc;

/// <summary>
/// How typed values become message bodies and back. "No body" is format-defined (<see cref="NoBody"/>). Decoding is
/// strict, with one rule in every format: an empty body or the format's "no body" is a valid value only for a declared
/// type that accepts it (annotated nullable, <c>T?</c>); for any other type it is an invalid body.
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
    /// Decodes a body of the declared type <typeparamref name="T"/>. An empty body or the format's "no body" decodes to
    /// the default value when <paramref name="nullable"/> is true or <typeparamref name="T"/> is a
    /// <see cref="Nullable{T}"/>, and is an invalid body otherwise. The result must not refer to the body's memory,
    /// which may be rented and returned once decoded, except a <see cref="ReadOnlyMemory{T}"/> of bytes, which may be
    /// the body itself (the caller then keeps the body).
    /// </summary>
    /// <param name="body">The received body.</param>
    /// <param name="nullable">Whether the declared type is annotated nullable (the generator knows; see <see cref="RpcFormatExtensions.Decode{T}(IRpcFormat, ReadOnlyMemory{byte})"/> for the non-nullable form).</param>
    /// <exception cref="RpcFormatException">The body is not a valid <typeparamref name="T"/>.</exception>
    T Decode<T>(ReadOnlyMemory<byte> body, bool nullable);

    /// <summary>Describes how a body of <paramref name="type"/> looks in this format, for introspection.</summary>
    string Describe(Type type);
}
