namespace FizyrRpc;

/// <summary>
/// Raw bytes: <c>byte[]</c> and <c>ReadOnlyMemory&lt;byte&gt;</c> bodies pass through untouched, so typed code can talk
/// to a server whatever its body encoding. "No body" is empty. Bytes are bytes: an empty body is the empty value of a
/// byte type; for any other declared type it is "no body", valid only when that type is nullable.
/// </summary>
public sealed class RawFormat : IRpcFormat
{
    /// <summary>The raw format.</summary>
    public static RawFormat Default { get; } = new();

    /// <inheritdoc/>
    public string Name => "raw";

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> NoBody => ReadOnlyMemory<byte>.Empty;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Encode<T>(T value) => value switch
    {
        null => ReadOnlyMemory<byte>.Empty,
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory,
        Memory<byte> memory => memory,
        _ => throw new RpcFormatException($"The raw format carries byte[] and ReadOnlyMemory<byte> only, not {typeof(T).Name}.", typeof(T)),
    };

    /// <inheritdoc/>
    public T Decode<T>(ReadOnlyMemory<byte> body, bool nullable)
    {
        // Bytes are bytes: an empty body is the empty value (raw cannot tell "no body" from zero bytes).
        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
            return (T)(object)body;
        if (typeof(T) == typeof(byte[]))
            return (T)(object)body.ToArray();
        if (typeof(T) == typeof(Memory<byte>))
            return (T)(object)new Memory<byte>(body.ToArray());
        if (body.IsEmpty)
            return NoBodyRule.Accept<T>(nullable, "empty");
        throw new RpcFormatException($"The raw format carries byte[] and ReadOnlyMemory<byte> only, not {typeof(T).Name}.", typeof(T));
    }

    /// <inheritdoc/>
    public string Describe(Type type) => "bytes";
}
