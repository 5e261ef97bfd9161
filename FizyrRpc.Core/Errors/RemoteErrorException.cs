namespace FizyrRpc;

/// <summary>The remote answered a request with an error response (service ID -1); the message is its text.</summary>
public sealed class RemoteErrorException : RpcException
{
    /// <summary>Creates an exception for an error response to request <paramref name="requestId"/>.</summary>
    public RemoteErrorException(string errorMessage, uint requestId)
        : base(errorMessage)
    {
        RequestId = requestId;
    }

    /// <summary>The ID of the request that was answered with the error.</summary>
    public uint RequestId { get; }
}
