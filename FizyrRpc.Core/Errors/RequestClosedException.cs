namespace FizyrRpc;

/// <summary>A message was sent for a request that is already closed (answered, or disposed); nothing was written.</summary>
public sealed class RequestClosedException : RpcException
{
    /// <summary>Creates an exception for request <paramref name="requestId"/>.</summary>
    public RequestClosedException(uint requestId)
        : base($"Request {requestId} is closed: no more messages can be sent for it.")
    {
        RequestId = requestId;
    }

    /// <summary>The ID the closed request had.</summary>
    public uint RequestId { get; }
}
