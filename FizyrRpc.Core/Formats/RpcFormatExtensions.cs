namespace FizyrRpc;

/// <summary>The shorthand of <see cref="IRpcFormat.Decode{T}(ReadOnlyMemory{byte}, bool)"/> for a non-nullable declared type.</summary>
public static class RpcFormatExtensions
{
    /// <summary>
    /// Decodes a body of the non-nullable declared type <typeparamref name="T"/>: an empty body or the format's
    /// "no body" is an invalid body, unless <typeparamref name="T"/> is a <see cref="Nullable{T}"/>.
    /// </summary>
    /// <exception cref="RpcFormatException">The body is not a valid <typeparamref name="T"/>.</exception>
    public static T Decode<T>(this IRpcFormat format, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(format);
        return format.Decode<T>(body, nullable: false);
    }
}
