namespace FizyrRpc;

/// <summary>An outgoing message exceeds the transport's write limit; it was refused before any byte was written.</summary>
public sealed class MessageTooLargeException : RpcException
{
    /// <summary>Creates an exception for a body of <paramref name="bodyLength"/> bytes against <paramref name="limit"/>.</summary>
    public MessageTooLargeException(long bodyLength, long limit, string what = "body")
        : base($"The message {what} is too large to send: {bodyLength}, the write limit is {limit}.")
    {
        BodyLength = bodyLength;
        Limit = limit;
    }

    /// <summary>The size that was refused.</summary>
    public long BodyLength { get; }

    /// <summary>The configured limit.</summary>
    public long Limit { get; }
}
