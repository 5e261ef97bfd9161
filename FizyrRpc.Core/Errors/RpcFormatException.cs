namespace FizyrRpc;

/// <summary>A body could not be encoded, or a received body could not be decoded, by the format in use.</summary>
public sealed class RpcFormatException : RpcException
{
    /// <summary>Creates an exception for a body of <paramref name="bodyType"/>.</summary>
    public RpcFormatException(string message, Type bodyType, Exception? innerException = null)
        : base(message, innerException)
    {
        BodyType = bodyType;
    }

    /// <summary>The type the body was to be encoded from or decoded into.</summary>
    public Type BodyType { get; }
}
