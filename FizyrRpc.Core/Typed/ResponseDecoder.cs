namespace FizyrRpc;

/// <summary>Turns a response into the call's result, the one way every typed call does it.</summary>
internal static class ResponseDecoder
{
    /// <summary>Decodes the response and frees its body, or throws the remote's error.</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The body is not a valid <typeparamref name="TResponse"/> (<paramref name="nullable"/>: whether it accepts no body).</exception>
    public static TResponse Decode<TResponse, TBody>(IRpcFormat format, Message<TBody> response, bool nullable)
        where TBody : IMessageBody<TBody>
    {
        // A ReadOnlyMemory<byte> result may be the body itself (the raw format passes it through): the caller owns it
        // from here, so a rented array is left to the collector instead of going back to its pool under the caller.
        if (typeof(TResponse) == typeof(ReadOnlyMemory<byte>))
            return format.Decode<TResponse>(response.ThrowIfError().Body.Data, nullable);
        using (response.Body)
            return format.Decode<TResponse>(response.ThrowIfError().Body.Data, nullable);
    }
}
